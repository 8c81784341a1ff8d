/**
 * Small node:http helpers shared by both protocol writers: reading a JSON
 * body, answering with JSON, and reading the simulator's control headers.
 */
import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The parsed JSON body, or undefined when the body is empty or not JSON. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  }

  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") {
    return undefined;
  }

  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function sendJson(
  response: ServerResponse,
  options: { status: number; body: unknown; headers?: Record<string, string> },
): void {
  const bytes = Buffer.from(JSON.stringify(options.body), "utf8");
  response.writeHead(options.status, {
    ...options.headers,
    "content-type": "application/json",
    "content-length": String(bytes.byteLength),
  });
  response.end(bytes);
}

export function readHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A header holding a whole number ≥ 0; anything else counts as absent. */
export function readNonNegativeIntegerHeader(
  headers: IncomingHttpHeaders,
  name: string,
): number | undefined {
  const value = readHeader(headers, name)?.trim();
  if (value === undefined || !/^\d+$/.test(value)) {
    return undefined;
  }
  return Number(value);
}

/** The bearer token or the provider's API-key header, whichever the client sent. */
export function readApiKey(headers: IncomingHttpHeaders, keyHeader: string): string | undefined {
  const bearer = readHeader(headers, "authorization")?.match(/^Bearer\s+(\S+)/i)?.[1];
  const key = readHeader(headers, keyHeader)?.trim();
  return bearer ?? (key === "" ? undefined : key);
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A random id in the style the providers use: a prefix and letters and digits. */
export function randomId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) {
    id += ID_ALPHABET[byte % ID_ALPHABET.length];
  }
  return id;
}

/**
 * A refusal in the provider's own error shape. Handlers throw it; the server
 * writes it as JSON, so no handler builds an error response by hand.
 */
export class ProviderHttpError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    super(`simulated provider error ${status}`);
    this.status = status;
    this.body = body;
  }
}
