/**
 * Spans, one per hop, exported to an OpenTelemetry collector over OTLP/HTTP
 * (JSON encoding) when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. Without one,
 * spans cost nothing: they are never built. The export runs in `waitUntil`,
 * so a slow or absent collector never delays an answer.
 */
import { logger } from "../logger.ts";
import type { TraceContext } from "./trace.ts";

export type SpanKind = "server" | "client" | "internal";
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

export type Span = {
  name: string;
  kind: SpanKind;
  trace: TraceContext;
  startMs: number;
  endMs: number;
  attributes: SpanAttributes;
  failed: boolean;
};

export type OtlpSettings = { endpoint: string; headers: Record<string, string>; service: string };

type OtlpEnv = { OTEL_EXPORTER_OTLP_ENDPOINT?: string; OTEL_EXPORTER_OTLP_HEADERS?: string };

/** The collector settings, or null when none is configured. */
export function otlpSettings(env: OtlpEnv, service: string): OtlpSettings | null {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) return null;

  // The standard format: `key=value,key2=value2` (collector API keys live here).
  const headers: Record<string, string> = {};
  for (const pair of env.OTEL_EXPORTER_OTLP_HEADERS?.split(",") ?? []) {
    const [key, ...value] = pair.split("=");
    if (key?.trim()) headers[key.trim()] = decodeURIComponent(value.join("=").trim());
  }
  return { endpoint: endpoint.replace(/\/+$/, ""), headers, service };
}

const KIND_CODES: Record<SpanKind, number> = { internal: 1, server: 2, client: 3 };

/** OTLP/JSON body for a batch of spans (ids hex, times as nanosecond strings). */
export function otlpBody(spans: Span[], service: string, version: string) {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: "service.name", value: { stringValue: service } },
            { key: "service.version", value: { stringValue: version } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: "kiln" },
            spans: spans.map((span) => ({
              traceId: span.trace.traceId,
              spanId: span.trace.spanId,
              ...(span.trace.parentSpanId ? { parentSpanId: span.trace.parentSpanId } : {}),
              name: span.name,
              kind: KIND_CODES[span.kind],
              startTimeUnixNano: nanos(span.startMs),
              endTimeUnixNano: nanos(span.endMs),
              attributes: toAttributes(span.attributes),
              status: { code: span.failed ? 2 : 1 },
            })),
          },
        ],
      },
    ],
  };
}

export async function exportSpans(options: {
  settings: OtlpSettings | null;
  spans: Span[];
  version: string;
}): Promise<void> {
  const { settings, spans } = options;
  if (!settings || spans.length === 0) return;

  try {
    const response = await fetch(`${settings.endpoint}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json", ...settings.headers },
      body: JSON.stringify(otlpBody(spans, settings.service, options.version)),
    });
    await response.body?.cancel();
    if (!response.ok) logger.warn("otlp.export_failed", { status: response.status });
  } catch (error) {
    logger.warn("otlp.export_failed", { error: error instanceof Error ? error.name : "unknown" });
  }
}

function nanos(ms: number): string {
  return `${BigInt(Math.round(ms)) * 1_000_000n}`;
}

type OtlpValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: number }
  | { doubleValue: number };

function toAttributes(attributes: SpanAttributes) {
  return Object.entries(attributes).flatMap(([key, value]): { key: string; value: OtlpValue }[] => {
    if (value === undefined) return [];
    if (typeof value === "string") return [{ key, value: { stringValue: value } }];
    if (typeof value === "boolean") return [{ key, value: { boolValue: value } }];
    return [{ key, value: Number.isInteger(value) ? { intValue: value } : { doubleValue: value } }];
  });
}
