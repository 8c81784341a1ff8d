/**
 * envd, the agent inside each sandbox (port 49983): `POST /files` takes
 * multipart uploads, `GET /health` says whether the sandbox lives, and the
 * Connect service `process.Process` starts commands and streams their output.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { commandBehaviour } from "./commands.ts";
import { base64, END_STREAM_FLAG, envelope, readRequestEnvelope } from "./connect.ts";
import { readBody, sendError, sendJson } from "./http.ts";
import type { SimProcess, SimSandbox, SimulatorState } from "./state.ts";

export async function handleEnvd(options: {
  state: SimulatorState;
  sandboxId: string | undefined;
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
}): Promise<void> {
  const { state, request, response, url } = options;
  const sandbox = state.live(options.sandboxId);
  // The E2B edge answers 502 for a sandbox that no longer exists.
  if (!sandbox) return sendError(response, 502, "The sandbox was not found");
  if (request.headers["x-access-token"] !== sandbox.accessToken) {
    return sendError(response, 401, "invalid access token");
  }

  if (url.pathname === "/health") {
    response.writeHead(204).end();
    return;
  }
  if (url.pathname === "/files" && request.method === "POST") {
    return writeFiles({ state, sandbox, request, response, url });
  }
  if (url.pathname === "/process.Process/Start") {
    return startProcess({ state, sandbox, request, response });
  }
  if (url.pathname === "/process.Process/SendSignal") {
    const body = JSON.parse((await readBody(request)).toString("utf8")) as {
      process?: { pid?: number };
    };
    const process = sandbox.processes.get(body.process?.pid ?? -1);
    if (process?.state !== "running") {
      return sendJson(response, 404, { code: "not_found", message: "process not found" });
    }
    process.stop?.("killed");
    return sendJson(response, 200, {});
  }
  sendJson(response, 404, { code: "unimplemented", message: `${url.pathname} is not simulated` });
}

async function writeFiles(options: {
  state: SimulatorState;
  sandbox: SimSandbox;
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
}) {
  const { sandbox, request, response, url } = options;
  const body = await readBody(request);
  const form = await new Request(url, {
    method: "POST",
    headers: { "content-type": request.headers["content-type"] ?? "" },
    body,
  }).formData();

  const written: { name: string; path: string; type: "file" }[] = [];
  for (const entry of form.getAll("file")) {
    // undici types FormData values loosely; file parts are Blobs with a name.
    const value = entry as unknown as File | string;
    if (typeof value === "string") continue;
    const path = absolute(value.name || url.searchParams.get("path") || "");
    sandbox.files.set(path, await value.text());
    written.push({ name: path.split("/").at(-1) ?? path, path, type: "file" });
  }
  if (written.length === 0) return sendError(response, 400, "no file parts");

  if (sandbox.faults.names.has("sandbox-expires")) sandbox.endAtMs = Date.now();
  sendJson(response, 200, written);
}

function absolute(path: string): string {
  return path.startsWith("/") ? path : `/home/user/${path}`;
}

async function startProcess(options: {
  state: SimulatorState;
  sandbox: SimSandbox;
  request: IncomingMessage;
  response: ServerResponse;
}) {
  const { state, sandbox, request, response } = options;
  const start = readRequestEnvelope(await readBody(request)) as {
    process: { cmd: string; args?: string[]; envs?: Record<string, string>; cwd?: string };
  };
  const cmd = start.process.args?.at(-1) ?? start.process.cmd;
  const behaviour = commandBehaviour(sandbox, cmd, start.process.envs ?? {});
  const timeoutHeader = request.headers["connect-timeout-ms"];
  const process: SimProcess = {
    pid: state.newPid(),
    cmd,
    state: "running",
    exitCode: undefined,
    connectTimeoutMs: typeof timeoutHeader === "string" ? Number(timeoutHeader) : undefined,
  };
  sandbox.processes.set(process.pid, process);

  response.writeHead(200, { "content-type": "application/connect+json" });
  const send = (payload: unknown) => {
    if (!response.writableEnded) response.write(envelope(payload));
  };
  const finish = (end: { exitCode: number; error?: string }) => {
    process.state = process.state === "running" ? "exited" : process.state;
    process.exitCode = end.exitCode;
    send({
      event: {
        end: {
          exitCode: end.exitCode,
          exited: true,
          status: `exit status ${end.exitCode}`,
          ...(end.error ? { error: end.error } : {}),
        },
      },
    });
    response.end(envelope({}, END_STREAM_FLAG));
  };

  process.stop = (reason) => {
    if (process.state !== "running") return;
    process.state = "killed";
    if (behaviour.openPort) {
      sandbox.openPorts.delete(behaviour.openPort.port);
      sandbox.serverOutput.delete(behaviour.openPort.port);
    }
    if (reason === "gone") {
      // The sandbox vanished: the connection drops without an end event.
      response.destroy();
      return;
    }
    finish({ exitCode: -1, error: "signal: killed" });
  };
  send({ event: { start: { pid: process.pid } } });
  for (const output of behaviour.output) {
    send({ event: { data: { [output.stream]: base64(output.text) } } });
  }
  if (behaviour.openPort) {
    sandbox.openPorts.set(behaviour.openPort.port, Date.now() + behaviour.openPort.afterMs);
    sandbox.serverOutput.set(behaviour.openPort.port, (text) =>
      send({ event: { data: { stdout: base64(text) } } }),
    );
  }
  if (typeof behaviour.end === "object") finish(behaviour.end);
}
