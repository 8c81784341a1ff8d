/**
 * Reads provider routing from KV (key `routing`), with a short in-memory
 * TTL so a hot team does not read KV per message and an operator's change
 * still takes effect within seconds, without a deploy. With nothing saved,
 * the default comes from the environment: the configured providers in
 * order, or the simulator playing two providers (OpenAI and Anthropic
 * protocol) so fallback is visible locally.
 */
import {
  DEFAULT_TIMEOUTS,
  type ProviderId,
  type RoutingConfig,
  type RoutingDocument,
  type RoutingTarget,
  routingConfigSchema,
} from "../contract/routing.ts";
import type { Env } from "../worker/env.ts";
import { logger } from "../worker/logger.ts";

export const ROUTING_KV_KEY = "routing";
const DEFAULT_CACHE_MS = 5_000;
const DEFAULT_SIMULATOR_URL = "http://127.0.0.1:8790";

export type ProviderEndpoint = {
  id: ProviderId;
  protocol: "openai" | "anthropic";
  baseUrl: string | undefined;
  apiKey: string;
  simulated: boolean;
};

/** Where a provider id points in this environment; null when it has no key or URL here. */
export function providerEndpoint(env: Env, id: ProviderId): ProviderEndpoint | null {
  const simulator = (env.KILN_SIMULATOR_URL || DEFAULT_SIMULATOR_URL).replace(/\/+$/, "");
  switch (id) {
    case "openai":
      return env.OPENAI_API_KEY
        ? {
            id,
            protocol: "openai",
            baseUrl: env.OPENAI_BASE_URL || undefined,
            apiKey: env.OPENAI_API_KEY,
            simulated: false,
          }
        : null;
    case "anthropic":
      return env.ANTHROPIC_API_KEY
        ? {
            id,
            protocol: "anthropic",
            baseUrl: env.ANTHROPIC_BASE_URL || undefined,
            apiKey: env.ANTHROPIC_API_KEY,
            simulated: false,
          }
        : null;
    case "openai-compatible":
      return env.OPENAI_COMPATIBLE_BASE_URL
        ? {
            id,
            protocol: "openai",
            baseUrl: env.OPENAI_COMPATIBLE_BASE_URL,
            // Local servers such as Ollama ignore the key, but the SDK requires one.
            apiKey: env.OPENAI_COMPATIBLE_API_KEY || "not-needed",
            simulated: false,
          }
        : null;
    case "simulator-openai":
      return {
        id,
        protocol: "openai",
        baseUrl: `${simulator}/v1`,
        apiKey: "simulator",
        simulated: true,
      };
    case "simulator-anthropic":
      return {
        id,
        protocol: "anthropic",
        baseUrl: simulator,
        apiKey: "simulator",
        simulated: true,
      };
  }
}

function target(provider: ProviderId, model: string): RoutingTarget {
  return { provider, model, enabled: true, retries: 1, timeouts: { ...DEFAULT_TIMEOUTS } };
}

/** The routing used until an operator saves one. */
export function defaultRouting(env: Env): RoutingConfig {
  const targets: RoutingTarget[] = [];
  const model = env.KILN_MODEL;
  if (env.ANTHROPIC_API_KEY) targets.push(target("anthropic", model || "claude-sonnet-4-5"));
  if (env.OPENAI_API_KEY) targets.push(target("openai", model || "gpt-4.1-mini"));
  if (env.OPENAI_COMPATIBLE_BASE_URL)
    targets.push(target("openai-compatible", model || "llama3.1"));
  if (targets.length === 0) {
    targets.push(target("simulator-openai", model || "kiln-simulated"));
    targets.push(target("simulator-anthropic", "kiln-simulated-fallback"));
  }

  return {
    defaultClass: "final",
    classes: { final: { targets }, draft: { targets: targets.map((item) => ({ ...item })) } },
    disabledProviders: [],
  };
}

/** Parses what KV holds; a broken document is logged and replaced by the default. */
export function parseRoutingDocument(raw: string | null, env: Env): RoutingDocument {
  const fallback: RoutingDocument = {
    version: 0,
    updatedAt: null,
    updatedBy: null,
    source: "default",
    config: defaultRouting(env),
  };
  if (raw === null) return fallback;

  try {
    const stored = JSON.parse(raw) as Partial<RoutingDocument>;
    const config = routingConfigSchema.parse(stored.config);
    return {
      version: typeof stored.version === "number" ? stored.version : 0,
      updatedAt: stored.updatedAt ?? null,
      updatedBy: stored.updatedBy ?? null,
      source: "kv",
      config,
    };
  } catch (error) {
    logger.error("routing.invalid_document", { error: String(error) });
    return fallback;
  }
}

export async function readRouting(env: Env): Promise<RoutingDocument> {
  return parseRoutingDocument(await env.KILN_KV.get(ROUTING_KV_KEY), env);
}

/** One cached read of the routing document, refreshed after `ttlMs`. */
export class RoutingCache {
  #document: RoutingDocument | null = null;
  #readAt = 0;
  readonly #clock: () => number;

  constructor(options: { clock?: () => number } = {}) {
    this.#clock = options.clock ?? Date.now;
  }

  async get(load: () => Promise<RoutingDocument>, ttlMs: number): Promise<RoutingDocument> {
    const now = this.#clock();
    if (this.#document && now - this.#readAt < ttlMs) return this.#document;
    this.#document = await load();
    this.#readAt = now;
    return this.#document;
  }
}

export function routingCacheMs(env: Env): number {
  const configured = Number(env.KILN_ROUTING_CACHE_MS);
  return env.KILN_ROUTING_CACHE_MS !== undefined && Number.isFinite(configured) && configured >= 0
    ? configured
    : DEFAULT_CACHE_MS;
}

/**
 * The targets of a model class, in order: the class named by the request if
 * it exists, else the default class. Disabled ones stay in the list (see
 * isTargetDisabled) so an answer from a later target counts as a fallback.
 */
export function chainFor(config: RoutingConfig, modelClass: string | undefined): RoutingTarget[] {
  const chosen =
    (modelClass !== undefined ? config.classes[modelClass] : undefined) ??
    config.classes[config.defaultClass];
  return chosen?.targets ?? [];
}

/** Switched off by an operator: the target itself, or its whole provider. */
export function isTargetDisabled(config: RoutingConfig, target: RoutingTarget): boolean {
  return !target.enabled || config.disabledProviders.includes(target.provider);
}
