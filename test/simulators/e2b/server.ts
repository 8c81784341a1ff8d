/**
 * A local stand-in for E2B, at the network edge: the control-plane REST API,
 * envd (files, processes over Connect JSON) and the code interpreter's
 * Jupyter front, all on one origin, so the real `e2b` and
 * `@e2b/code-interpreter` SDKs run against it unchanged with `apiUrl` and
 * `sandboxUrl` pointed here. envd and Jupyter are told apart, as on E2B's
 * shared sandbox host, by the `E2b-Sandbox-Port` header; preview ports are
 * reached at `http://<port>-<sandboxId>.localhost:<simulator port>`, which
 * browsers resolve to the loopback address.
 *
 * `POST /_simulator/faults {teamId, faults, startDelayMs?}` injects faults for
 * one Kiln team (see faults.ts); `GET /_simulator/sandboxes/<id>` (E2B id or Kiln's
 * `kilnSandboxId`) shows a sandbox's state (files, processes) to tests;
 * `GET /_simulator/creates` lists the create requests (body and `traceparent`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleControlPlane } from "./control-plane.ts";
import { handleEnvd } from "./envd.ts";
import { parseFaultRequest } from "./faults.ts";
import { header, readBody, sendError, sendJson } from "./http.ts";
import { handleJupyter } from "./jupyter.ts";
import { handlePreview } from "./preview.ts";
import { SimulatorState } from "./state.ts";

export type E2bSimulatorOptions = { port?: number; host?: string };

export type E2bSimulator = {
  url: string;
  port: number;
  state: SimulatorState;
  close(): Promise<void>;
};

const ENVD_PORT = "49983";
const JUPYTER_PORT = "49999";
const PREVIEW_HOST = /^(\d+)-([a-z0-9]+)\.localhost(:\d+)?$/i;

export async function startE2bSimulator(options: E2bSimulatorOptions = {}): Promise<E2bSimulator> {
  const host = options.host ?? "127.0.0.1";
  const state = new SimulatorState();
  let domain = "localhost";

  const server = createServer((request, response) => {
    handle({ state, request, response, domain }).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, String(error));
      else response.destroy();
    });
  });
  const port = await listen(server, options.port ?? 0, host);
  domain = `localhost:${port}`;

  return {
    url: `http://${host}:${port}`,
    port,
    state,
    close: () => closeServer(server, state),
  };
}

async function handle(options: {
  state: SimulatorState;
  request: IncomingMessage;
  response: ServerResponse;
  domain: string;
}) {
  const { state, request, response } = options;
  const url = new URL(request.url ?? "/", "http://simulator");

  if (url.pathname.startsWith("/_simulator/"))
    return handleAdmin({ state, request, response, url });

  const preview = PREVIEW_HOST.exec(request.headers.host ?? "");
  if (preview) {
    return handlePreview({
      state,
      sandboxId: preview[2] ?? "",
      port: Number(preview[1]),
      path: url.pathname,
      response,
    });
  }

  const sandboxPort = header(request, "e2b-sandbox-port");
  const sandboxId = header(request, "e2b-sandbox-id");
  if (sandboxPort === ENVD_PORT) return handleEnvd({ state, sandboxId, request, response, url });
  if (sandboxPort === JUPYTER_PORT) {
    return handleJupyter({ state, sandboxId, request, response, url });
  }
  if (sandboxPort && sandboxId) {
    return handlePreview({
      state,
      sandboxId,
      port: Number(sandboxPort),
      path: url.pathname,
      response,
    });
  }
  return handleControlPlane({ ...options, url });
}

async function handleAdmin(options: {
  state: SimulatorState;
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
}) {
  const { state, request, response, url } = options;
  if (url.pathname === "/_simulator/faults" && request.method === "POST") {
    try {
      const text = (await readBody(request)).toString("utf8");
      const { teamId, faults } = parseFaultRequest(JSON.parse(text || "{}"));
      state.faultsByTeam.set(teamId, faults);
      return sendJson(response, 200, { teamId, faults: [...faults.names] });
    } catch (error) {
      return sendError(response, 400, error instanceof Error ? error.message : String(error));
    }
  }

  if (url.pathname === "/_simulator/creates") {
    return sendJson(response, 200, { creates: state.createRequests });
  }

  const match = /^\/_simulator\/sandboxes\/([^/]+)$/.exec(url.pathname);
  // By E2B id, or by the Kiln sandbox id in its metadata.
  const key = match?.[1] ?? "";
  const sandbox =
    state.sandboxes.get(key) ??
    [...state.sandboxes.values()].find((candidate) => candidate.metadata.kilnSandboxId === key);
  if (!sandbox) return sendError(response, 404, "unknown simulator route or sandbox");
  sendJson(response, 200, {
    id: sandbox.id,
    templateId: sandbox.templateId,
    alive: state.live(sandbox.id) !== undefined,
    metadata: sandbox.metadata,
    envVars: sandbox.envVars,
    files: [...sandbox.files.keys()],
    processes: [...sandbox.processes.values()].map(
      ({ pid, cmd, state, exitCode, connectTimeoutMs }) => ({
        pid,
        cmd,
        state,
        exitCode,
        connectTimeoutMs,
      }),
    ),
  });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server, state: SimulatorState): Promise<void> {
  for (const sandbox of state.sandboxes.values()) state.kill(sandbox);
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
