/**
 * A small Upstash-REST front over a real Redis, for tests and local runs
 * (`/work/shared/protocols/upstash.md` is the wire reference). It speaks what
 * `@upstash/redis` 1.39 sends: `POST /` (one command), `/pipeline` and
 * `/multi-exec` (arrays of commands), bearer-token auth, and the
 * `Upstash-Encoding: base64` answer format.
 *
 * The one trap it exists to solve: `@upstash/ratelimit` 2.1+ scripts start
 * with `#!lua flags=allow-key-locking`, which Redis 7.0 rejects. The front
 * strips that first line before EVAL / SCRIPT LOAD and maps the SDK's SHA-1
 * (of the text with the shebang) to the stripped script's, so EVALSHA hits.
 *
 * `delayMs` holds every answer back, so tests can see what Kiln does when
 * Redis is slow; without a `redisUrl` the front answers every command with an
 * error, as a broken Upstash would.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import Redis from "ioredis";

export type UpstashFrontOptions = {
  /** `redis://127.0.0.1:6379`; without it every command fails. */
  redisUrl?: string | undefined;
  token: string;
  /** 0, the default, picks a free port. */
  port?: number;
  /** Wait this long before each answer. */
  delayMs?: number;
};

export type UpstashFront = {
  url: string;
  close(): Promise<void>;
};

type Command = (string | number | boolean)[];
type Reply = { result: unknown } | { error: string };

export async function startUpstashFront(options: UpstashFrontOptions): Promise<UpstashFront> {
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
    : undefined;
  const scripts = new ScriptMap();

  const server = createServer((request, response) => {
    void handle({ request, response, redis, scripts, options }).catch((error: unknown) => {
      sendJson(response, 500, { error: `front failed: ${String(error)}` });
    });
  });
  const port = await listen(server, options.port ?? 0);

  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis?.disconnect();
    },
  };
}

async function handle(context: {
  request: IncomingMessage;
  response: ServerResponse;
  redis: Redis | undefined;
  scripts: ScriptMap;
  options: UpstashFrontOptions;
}) {
  const { request, response, redis, scripts, options } = context;
  if (request.method !== "POST")
    return sendJson(response, 405, { error: "ERR method not allowed" });
  if (request.headers.authorization !== `Bearer ${options.token}`) {
    return sendJson(response, 401, { error: "Unauthorized" });
  }

  const body = JSON.parse(await readBody(request)) as Command | Command[];
  if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));

  const base64 = request.headers["upstash-encoding"] === "base64";
  const path = new URL(request.url ?? "/", "http://front").pathname;
  const run = async (command: Command): Promise<Reply> => {
    try {
      const result = await execute(redis, scripts, command);
      return { result: base64 ? encode(result) : result };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };

  if (path === "/pipeline" || path === "/multi-exec") {
    // MULTI/EXEC atomicity is not reproduced: tests send one command per batch in practice.
    const replies: Reply[] = [];
    for (const command of body as Command[]) replies.push(await run(command));
    return sendJson(response, 200, replies);
  }

  const reply = await run(body as Command);
  sendJson(response, "error" in reply ? 400 : 200, reply);
}

async function execute(redis: Redis | undefined, scripts: ScriptMap, command: Command) {
  if (!redis) throw new Error("ERR Redis is not reachable from this front");
  const [name, ...args] = command.map(String);
  const lower = (name ?? "").toLowerCase();

  if (lower === "eval" && args[0] !== undefined) {
    args[0] = scripts.strip(args[0]);
  } else if (lower === "evalsha" && args[0] !== undefined) {
    args[0] = scripts.redisSha(args[0]);
  } else if (lower === "script" && args[0]?.toLowerCase() === "load" && args[1] !== undefined) {
    args[1] = scripts.strip(args[1]);
    await redis.call("script", "load", args[1]);
    return scripts.sdkSha(command.map(String)[2] ?? "");
  }
  return redis.call(lower, ...args);
}

/** Remembers which stripped script stands for which SDK hash. */
class ScriptMap {
  readonly #redisShaBySdkSha = new Map<string, string>();

  strip(script: string): string {
    const stripped = script.startsWith("#!") ? script.slice(script.indexOf("\n") + 1) : script;
    this.#redisShaBySdkSha.set(sha1(script), sha1(stripped));
    return stripped;
  }

  redisSha(sdkSha: string): string {
    return this.#redisShaBySdkSha.get(sdkSha) ?? sdkSha;
  }

  sdkSha(script: string): string {
    return sha1(script);
  }
}

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/** Upstash's base64 answer format: every string except the status reply "OK". */
function encode(value: unknown): unknown {
  if (typeof value === "string")
    return value === "OK" ? value : Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(encode);
  return value;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown) {
  if (response.headersSent) return;
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}
