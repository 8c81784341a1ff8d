/**
 * Observes every request: continues (or starts) the W3C trace, echoes the
 * trace id in `X-Trace-Id`, and when the answer is ready writes the one
 * `http.request` log line, exports the Worker's span and reports unexpected
 * errors to Sentry. Everything after the answer runs in `waitUntil`.
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppBindings } from "../env.ts";
import { ApiError } from "../errors.ts";
import { logger } from "../logger.ts";
import { hashUser } from "./identity.ts";
import { createErrorReporter } from "./sentry.ts";
import { exportSpans, otlpSettings } from "./spans.ts";
import { continueTrace } from "./trace.ts";

export function observeRequests(): MiddlewareHandler<AppBindings> {
  return async function observeRequestsMiddleware(c, next) {
    const startedAt = Date.now();
    const trace = continueTrace(c.req.header("traceparent"));
    c.set("trace", trace);
    c.header("X-Trace-Id", trace.traceId);

    await next();

    setTraceHeader(c, trace.traceId);
    const work = afterResponse(c, startedAt).catch((error: unknown) => {
      logger.warn("observe.failed", { error: error instanceof Error ? error.name : "unknown" });
    });
    waitUntil(c, work);
  };
}

async function afterResponse(c: Context<AppBindings>, startedAt: number) {
  const trace = c.get("trace");
  const status = c.res.status;
  // The matched pattern (`/api/conversations/:id`), never the raw path with its ids.
  const handler = matchedRoutes(c)
    .filter((matched) => matched.method !== "ALL")
    .at(-1);
  const route = handler?.path ?? "unmatched";
  const userHash = await hashUser(c.get("auth")?.userId, c.env.KILN_LOG_HASH_SALT);
  const unexpected = c.error && !(c.error instanceof ApiError && c.error.status < 500);
  const fields = {
    requestId: c.get("requestId"),
    traceId: trace.traceId,
    spanId: trace.spanId,
    teamId: c.get("teamId") ?? c.get("team")?.id,
    userHash,
    method: c.req.method,
    route,
    status,
    latencyMs: Date.now() - startedAt,
    outcome: status < 400 ? "ok" : status < 500 ? "client_error" : "server_error",
    errorCode: c.error instanceof ApiError ? c.error.code : undefined,
  };
  logger.info("http.request", fields);

  const reporting = unexpected
    ? createErrorReporter({
        env: c.env,
        component: "worker",
        request: c.req.raw,
        waitUntil: (promise) => waitUntil(c, promise),
        tags: {
          requestId: fields.requestId,
          traceId: trace.traceId,
          teamId: fields.teamId,
          route,
          userHash,
        },
      })?.capture(c.error)
    : undefined;

  await Promise.all([
    reporting,
    exportSpans({
      settings: otlpSettings(c.env, "kiln-worker"),
      version: c.env.KILN_VERSION,
      spans: [
        {
          name: `${c.req.method} ${route}`,
          kind: "server",
          trace,
          startMs: startedAt,
          endMs: Date.now(),
          failed: status >= 500,
          attributes: {
            "http.request.method": c.req.method,
            "http.route": route,
            "http.response.status_code": status,
            "kiln.request_id": fields.requestId,
            "kiln.team_id": fields.teamId,
            "enduser.hash": userHash,
          },
        },
      ],
    }),
  ]);
}

/** Routes that pass another service's response through return one with immutable headers. */
function setTraceHeader(c: Context<AppBindings>, traceId: string) {
  try {
    c.res.headers.set("X-Trace-Id", traceId);
  } catch {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set("X-Trace-Id", traceId);
  }
}

/** `executionCtx` throws outside a real fetch event (Hono's `app.request` in unit tests). */
function waitUntil(c: Context<AppBindings>, work: Promise<unknown>) {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    void work;
  }
}
