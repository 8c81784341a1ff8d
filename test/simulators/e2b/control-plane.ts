/**
 * The control-plane REST API (`https://api.e2b.app`): create, inspect, extend
 * and kill sandboxes. Every call needs `X-API-KEY`; errors are `{code, message}`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendError, sendJson } from "./http.ts";
import type { SimSandbox, SimulatorState } from "./state.ts";

const DEFAULT_TIMEOUT_SECONDS = 300;
const ENVD_VERSION = "0.6.4";

export async function handleControlPlane(options: {
  state: SimulatorState;
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  /** What the API returns as `domain`: previews live at `<port>-<id>.<domain>`. */
  domain: string;
}): Promise<void> {
  const { state, request, response, url } = options;
  if (!request.headers["x-api-key"]) return sendError(response, 401, "Invalid API key");

  if (request.method === "POST" && url.pathname === "/v2/sandboxes") {
    return create({
      ...options,
      body: await readJson(request),
      traceparent: request.headers.traceparent ?? null,
    });
  }

  const connect = /^\/v2\/sandboxes\/([^/]+)\/connect$/.exec(url.pathname);
  if (request.method === "POST" && connect) {
    const live = state.live(connect[1]);
    if (!live) return sendError(response, 404, `sandbox "${connect[1]}" not found`);
    const body = (await readJson(request)) as { timeout?: number };
    if (body.timeout) live.endAtMs = Date.now() + body.timeout * 1000;
    return sendJson(response, 200, sandboxBody(live, options.domain));
  }

  const match = /^\/sandboxes\/([^/]+)(\/timeout)?$/.exec(url.pathname);
  const sandbox = state.live(match?.[1]);
  if (!match) return sendError(response, 404, `${url.pathname} is not simulated`);
  if (!sandbox) return sendError(response, 404, `sandbox "${match[1]}" not found`);

  if (request.method === "GET" && !match[2]) return sendJson(response, 200, detail(sandbox));
  if (request.method === "DELETE" && !match[2]) {
    state.kill(sandbox);
    response.writeHead(204).end();
    return;
  }
  if (request.method === "POST" && match[2]) {
    const body = (await readJson(request)) as { timeout?: number };
    sandbox.endAtMs = Date.now() + (body.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    response.writeHead(204).end();
    return;
  }
  sendError(response, 405, "method not allowed");
}

async function create(options: {
  state: SimulatorState;
  response: ServerResponse;
  domain: string;
  body: unknown;
  traceparent: string | string[] | null;
}) {
  const { state, response } = options;
  const body = (options.body ?? {}) as {
    templateID?: string;
    timeout?: number;
    metadata?: Record<string, string>;
    envVars?: Record<string, string>;
  };
  state.createRequests.push({ ...body, traceparent: options.traceparent });
  const faults = state.faultsFor(body.metadata ?? {});

  if (faults.names.has("rate-limited")) {
    return sendError(response, 429, "Rate limit exceeded: too many concurrent sandboxes");
  }
  if (faults.names.has("create-fails")) {
    return sendError(response, 500, "Failed to place the sandbox: no capacity in the cluster");
  }

  const sandbox = state.create({
    templateId: body.templateID ?? "base",
    timeoutSeconds: body.timeout ?? DEFAULT_TIMEOUT_SECONDS,
    metadata: body.metadata ?? {},
    envVars: body.envVars ?? {},
  });
  sendJson(response, 201, sandboxBody(sandbox, options.domain));
}

function sandboxBody(sandbox: SimSandbox, domain: string) {
  return {
    sandboxID: sandbox.id,
    templateID: sandbox.templateId,
    clientID: "simulator",
    envdVersion: ENVD_VERSION,
    envdAccessToken: sandbox.accessToken,
    domain,
    trafficAccessToken: null,
    alias: sandbox.templateId,
  };
}

function detail(sandbox: SimSandbox) {
  return {
    sandboxID: sandbox.id,
    templateID: sandbox.templateId,
    clientID: "simulator",
    envdVersion: ENVD_VERSION,
    startedAt: new Date(sandbox.startedAtMs).toISOString(),
    endAt: new Date(sandbox.endAtMs).toISOString(),
    state: "running",
    cpuCount: 2,
    memoryMB: 1024,
    diskSizeMB: 10240,
    metadata: sandbox.metadata,
  };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const text = (await readBody(request)).toString("utf8");
  return text ? JSON.parse(text) : {};
}
