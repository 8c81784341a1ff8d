/**
 * Reading what Kiln sent to the network edges the observability tests
 * check: the provider and E2B simulators' recorded calls, the Sentry simulator's
 * envelopes, the webhook receiver's alerts and OTLP spans, and the log lines
 * written to the console (the Worker and its Durable Objects share this
 * isolate, so one spy sees every hop's lines).
 */
import { inject, vi } from "vitest";

export type LogLine = Record<string, unknown> & { event: string; level: string };
type Received = { method: string; path: string; url: string; body: string; receivedAt: number };

export function captureLogs() {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  for (const method of ["log", "warn", "error"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      const text = args.map(String).join(" ");
      raw.push(text);
      try {
        lines.push(JSON.parse(text) as LogLine);
      } catch {
        // Not one of ours (workerd or a library writing plain text).
      }
    });
  }
  return { lines, raw };
}

export async function receivedAt(recorderUrl: string, path: string): Promise<Received[]> {
  const response = await fetch(`${recorderUrl}/_simulator/received`);
  const { received } = (await response.json()) as { received: Received[] };
  return received.filter((request) => request.path === path);
}

export function webhookUrl() {
  return inject("webhookUrl");
}

export function sentryUrl() {
  return inject("sentryUrl");
}

export async function providerCalls() {
  const response = await fetch(`${inject("simulatorUrl")}/_simulator/requests`);
  const { requests } = (await response.json()) as {
    requests: { path: string; model: string | null; traceparent: string | null }[];
  };
  return requests;
}

export function randomHex(bytes: number) {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (byte) =>
    byte.toString(16).padStart(2, "0"),
  ).join("");
}

/** The create requests the E2B simulator received: body fields and `traceparent`. */
export async function e2bCreates() {
  const response = await fetch(`${inject("e2bSimulatorUrl")}/_simulator/creates`);
  const { creates } = (await response.json()) as {
    creates: { metadata?: Record<string, string>; traceparent: string | null }[];
  };
  return creates;
}

type OtlpSpan = { traceId: string; spanId: string; parentSpanId?: string; name: string };

/** Every span the collector received for one trace. */
export async function spansOf(traceId: string): Promise<OtlpSpan[]> {
  const posts = await receivedAt(webhookUrl(), "/otlp/v1/traces");
  return posts.flatMap((post) => {
    const body = JSON.parse(post.body) as {
      resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
    };
    return body.resourceSpans
      .flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans))
      .filter((span) => span.traceId === traceId);
  });
}
