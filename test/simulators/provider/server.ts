/**
 * A local stand-in for the OpenAI and Anthropic APIs. It speaks both wire
 * protocols closely enough that the official SDKs, and Kiln's provider
 * adapters built on them, run against it unchanged: `${url}/v1` is an OpenAI
 * base URL, `url` an Anthropic one. Answers are canned apps (see apps.ts),
 * streamed at a model-like pace, with usage figures that add up.
 *
 * Every request is recorded, including when its connection closed, so tests
 * can check what the gateway sent and that it hung up when it should have.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { handleAnthropicModels, handleAnthropicNotFound, handleMessages } from "./anthropic.ts";
import { handleBenchChatCompletions, readBenchAnswer } from "./bench-answer.ts";
import type { RecordedRequest, SimulatorContext } from "./context.ts";
import { activeFault, type Protocol, readFaults } from "./faults.ts";
import { isRecord, ProviderHttpError, randomId, readJsonBody, sendJson } from "./http.ts";
import { handleChatCompletions, handleOpenAiModels, handleOpenAiNotFound } from "./openai.ts";
import { DEFAULT_PACING, type Pacing, readPacing } from "./pacing.ts";
import { answerPreResponseFault } from "./pre-response-faults.ts";

export type { RecordedRequest } from "./context.ts";

export type ProviderSimulatorOptions = {
  /** 0, the default, picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Pause between streamed pieces of text; 12 ms unless set. */
  chunkDelayMs?: number;
  /** Pause before the first piece of text; 120 ms unless set. */
  firstTokenDelayMs?: number;
};

export type ProviderSimulator = {
  /** Like `http://127.0.0.1:8790`, without a trailing slash. */
  url: string;
  port: number;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  /** Stops listening and drops open connections, streams included. */
  close(): Promise<void>;
};

type Route = (context: SimulatorContext) => void | Promise<void>;

export async function startProviderSimulator(
  options: ProviderSimulatorOptions = {},
): Promise<ProviderSimulator> {
  const host = options.host ?? "127.0.0.1";
  const pacing: Pacing = {
    firstTokenDelayMs: options.firstTokenDelayMs ?? DEFAULT_PACING.firstTokenDelayMs,
    chunkDelayMs: options.chunkDelayMs ?? DEFAULT_PACING.chunkDelayMs,
  };
  const requests: RecordedRequest[] = [];
  const connections = new WeakMap<object, number>();

  const server = createServer((request, response) => {
    void handleRequest({ request, response, pacing, requests, connections });
  });
  let accepted = 0;
  server.on("connection", (socket) => {
    accepted += 1;
    connections.set(socket, accepted);
  });
  // Node closes idle keep-alive sockets after 5 s; a client that reuses one
  // just then sees "connection lost". Real APIs sit behind load balancers
  // that keep sockets far longer, so the simulator does too.
  server.keepAliveTimeout = 120_000;
  const port = await listen(server, { port: options.port ?? 0, host });

  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    requests,
    close: () => closeServer(server),
  };
}

async function handleRequest(options: {
  request: IncomingMessage;
  response: ServerResponse;
  pacing: Pacing;
  requests: RecordedRequest[];
  connections: WeakMap<object, number>;
}): Promise<void> {
  const { request, response } = options;
  const record: RecordedRequest = {
    id: randomId("req_", 24),
    method: request.method ?? "GET",
    path: new URL(request.url ?? "/", "http://simulator").pathname,
    headers: request.headers,
    body: undefined,
    receivedAt: Date.now(),
    connection: options.connections.get(request.socket) ?? 0,
    completed: false,
  };
  if (record.path === "/_simulator/requests") {
    sendRecordedTraces(response, options.requests);
    return;
  }
  options.requests.push(record);
  const signal = watchResponse(response, record);

  try {
    record.body = await readJsonBody(request);
    if (record.method === "GET" && record.path === "/_sim/calls") {
      answerCalls(response, options.requests, request.url ?? "/");
      return;
    }

    const protocol = protocolOf(record.path);
    const faults = readFaults(request.headers, lastUserText(record.body));
    const pacing = readPacing(request.headers, options.pacing);
    const context: SimulatorContext = {
      request,
      response,
      record,
      pacing: {
        firstTokenDelayMs: faults.firstTokenMs ?? pacing.firstTokenDelayMs,
        chunkDelayMs: faults.chunkMs ?? pacing.chunkDelayMs,
      },
      faults,
      signal,
    };

    if (protocol) {
      record.protocol = protocol;
      if (faults.tag !== undefined) record.tag = faults.tag;
      const earlierCalls = options.requests.filter(
        (other) => other !== record && other.tag === faults.tag && other.protocol === protocol,
      ).length;
      const fault = activeFault({ faults, protocol, earlierCalls });
      context.faults = { ...faults, fault };
      if (fault) record.fault = fault;
      if (fault && (await answerPreResponseFault(context, fault, protocol))) return;
    }
    await chooseRoute(record)(context);
  } catch (error) {
    if (!signal.aborted) {
      answerError(response, error);
    }
  }
}

/**
 * `GET /_simulator/requests`: what tests inside workerd (which cannot see
 * this process's memory) may check about the calls made: path, model and
 * the W3C trace headers. Never the prompt.
 */
function sendRecordedTraces(response: ServerResponse, requests: RecordedRequest[]): void {
  const calls = requests.map((request) => ({
    path: request.path,
    model: (request.body as { model?: unknown } | undefined)?.model ?? null,
    traceparent: request.headers.traceparent ?? null,
  }));
  sendJson(response, { status: 200, body: { requests: calls } });
}

function protocolOf(path: string): Protocol | undefined {
  if (path === "/v1/chat/completions") return "openai";
  if (path === "/v1/messages") return "anthropic";
  return undefined;
}

/** The text of the last user message, where a person or a test puts a fault marker. */
function lastUserText(body: unknown): string {
  if (!isRecord(body) || !Array.isArray(body.messages)) return "";
  const users = body.messages.filter((message) => isRecord(message) && message.role === "user");
  const last: unknown = users.at(-1);
  if (!isRecord(last)) return "";
  if (typeof last.content === "string") return last.content;
  return JSON.stringify(last.content ?? "");
}

/**
 * `GET /_sim/calls?tag=t`: the chat calls of a tag, for tests that cannot
 * reach the simulator's memory (workerd): how many, which protocol, which
 * fault, and whether and when each connection closed.
 */
function answerCalls(response: ServerResponse, requests: RecordedRequest[], url: string): void {
  const tag = new URL(url, "http://simulator").searchParams.get("tag");
  const calls = requests
    .filter((record) => record.protocol !== undefined && (tag === null || record.tag === tag))
    .map((record) => ({
      id: record.id,
      protocol: record.protocol,
      fault: record.fault ?? null,
      receivedAt: record.receivedAt,
      closedAt: record.closedAt ?? null,
      completed: record.completed,
      connection: record.connection,
    }));
  sendJson(response, { status: 200, body: { calls } });
}

/** Marks the record as completed or closed, and aborts the handler's work on close. */
function watchResponse(response: ServerResponse, record: RecordedRequest): AbortSignal {
  const controller = new AbortController();

  response.once("finish", () => {
    record.completed = true;
  });
  // "close" fires after a finished response too, but also, alone, when the
  // client drops the connection mid-stream: that is the case tests look for.
  response.once("close", () => {
    record.closedAt = Date.now();
    controller.abort();
  });

  return controller.signal;
}

/** Both APIs share GET /v1/models; only Anthropic's SDK sends `anthropic-version`. */
function chooseRoute(record: RecordedRequest): Route {
  const anthropic = record.headers["anthropic-version"] !== undefined;

  switch (`${record.method} ${record.path}`) {
    case "POST /v1/chat/completions":
      // `npm run bench` asks for answers of a given size and rate in the prompt.
      return readBenchAnswer(record.body) ? handleBenchChatCompletions : handleChatCompletions;
    case "POST /v1/messages":
      return handleMessages;
    case "GET /v1/models":
      return anthropic ? handleAnthropicModels : handleOpenAiModels;
    default:
      return anthropic ? handleAnthropicNotFound : handleOpenAiNotFound;
  }
}

function answerError(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (error instanceof ProviderHttpError) {
    sendJson(response, { status: error.status, body: error.body });
    return;
  }

  // A bug in the simulator itself: surface it to the test through the SDK.
  const message = error instanceof Error ? error.message : String(error);
  sendJson(response, {
    status: 500,
    body: { error: { message: `provider simulator failed: ${message}`, type: "server_error" } },
  });
}

function listen(server: Server, options: { port: number; host: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : options.port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
