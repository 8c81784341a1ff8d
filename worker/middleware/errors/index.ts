/**
 * The one place errors become HTTP answers. Every error body has the shape
 * the README documents; unexpected errors are logged with their stack and
 * answered with a generic message, so nothing internal leaks.
 */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppBindings } from "../../env.ts";
import { ApiError, errorBody } from "../../errors.ts";
import { logger } from "../../logger.ts";

function requestIdOf(c: Context<AppBindings>): string {
  return c.get("requestId") ?? crypto.randomUUID();
}

function traceIdOf(c: Context<AppBindings>): string | undefined {
  return c.get("trace")?.traceId;
}

export function errorHandler(): ErrorHandler<AppBindings> {
  return function handleError(error, c) {
    const requestId = requestIdOf(c);
    const traceId = traceIdOf(c);
    c.header("X-Request-Id", requestId);

    if (error instanceof ApiError) {
      if (error.status >= 500) {
        logger.error("request.failed", {
          requestId,
          traceId,
          errorCode: error.code,
          cause: String(error.cause),
        });
      }
      const body = errorBody({ ...error, message: error.message, requestId, traceId });
      if (error.limit) c.header("Retry-After", String(error.limit.retryAfterSeconds));
      return c.json(body, error.status);
    }

    if (error instanceof HTTPException && error.status < 500) {
      const body = errorBody({
        code: "invalid_body",
        message: error.message,
        requestId,
        traceId,
      });
      return c.json(body, error.status);
    }

    logger.error("request.unhandled", {
      requestId,
      traceId,
      route: c.req.path,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    const body = errorBody({
      code: "internal_error",
      message: "Something went wrong on our side.",
      hint: "Try again; if it keeps happening, report the trace id.",
      requestId,
      traceId,
    });
    return c.json(body, 500);
  };
}

export function notFoundHandler(): NotFoundHandler<AppBindings> {
  return function handleNotFound(c) {
    const body = errorBody({
      code: "not_found",
      message: `No route for ${c.req.method} ${c.req.path}.`,
      hint: "See the API section of the README for the routes Kiln serves.",
      requestId: requestIdOf(c),
      traceId: traceIdOf(c),
    });
    return c.json(body, 404);
  };
}
