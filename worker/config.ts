/**
 * Reads the Worker's environment into typed settings once per use. The
 * provider is the first configured of: an explicit KILN_PROVIDER, Anthropic,
 * OpenAI, an OpenAI-compatible base URL; with none, the local simulator,
 * which the UI labels as simulated.
 */
import type { Env } from "./env.ts";

export type ProviderKind = "openai" | "anthropic" | "openai-compatible";

export type ProviderSettings = {
  /** The name shown to people: openai, anthropic, openai-compatible or simulator. */
  name: string;
  kind: ProviderKind;
  baseUrl: string | undefined;
  apiKey: string;
  model: string;
  simulated: boolean;
};

const DEFAULT_SIMULATOR_URL = "http://127.0.0.1:8790";
const DEFAULT_MODELS: Record<ProviderKind, string> = {
  openai: "gpt-4.1-mini",
  anthropic: "claude-sonnet-4-5",
  "openai-compatible": "llama3.1",
};

export function isDevelopment(env: Env): boolean {
  return env.ENVIRONMENT === "development" || env.ENVIRONMENT === "test";
}

export function providerSettings(env: Env): ProviderSettings {
  const requested = env.KILN_PROVIDER?.trim().toLowerCase();

  if (requested === "anthropic" || (!requested && env.ANTHROPIC_API_KEY)) {
    return real(env, "anthropic", env.ANTHROPIC_API_KEY, env.ANTHROPIC_BASE_URL);
  }
  if (requested === "openai" || (!requested && env.OPENAI_API_KEY)) {
    return real(env, "openai", env.OPENAI_API_KEY, env.OPENAI_BASE_URL);
  }
  if (requested === "openai-compatible" || (!requested && env.OPENAI_COMPATIBLE_BASE_URL)) {
    // Local servers such as Ollama ignore the key, but the SDK requires one.
    const key = env.OPENAI_COMPATIBLE_API_KEY || "not-needed";
    return real(env, "openai-compatible", key, env.OPENAI_COMPATIBLE_BASE_URL);
  }

  const simulatorUrl = (env.KILN_SIMULATOR_URL || DEFAULT_SIMULATOR_URL).replace(/\/+$/, "");
  return {
    name: "simulator",
    kind: "openai",
    baseUrl: `${simulatorUrl}/v1`,
    apiKey: "simulator",
    model: env.KILN_MODEL || "kiln-simulated",
    simulated: true,
  };
}

function real(
  env: Env,
  kind: ProviderKind,
  apiKey: string | undefined,
  baseUrl: string | undefined,
): ProviderSettings {
  return {
    name: kind,
    kind,
    baseUrl: baseUrl || undefined,
    apiKey: apiKey ?? "",
    model: env.KILN_MODEL || DEFAULT_MODELS[kind],
    simulated: false,
  };
}

/** The issuer Supabase puts in its tokens: `<project URL>/auth/v1`. */
export function tokenIssuer(env: Env, requestUrl: string): string {
  const base = env.SUPABASE_URL || new URL(requestUrl).origin;
  return `${base.replace(/\/+$/, "")}/auth/v1`;
}

/** Used by development sign-in only: who gets the platform operator role locally. */
const DEFAULT_DEVELOPMENT_OPERATORS = ["ops@example.com"];

/**
 * Emails that development sign-in marks as platform operators
 * (`KILN_PLATFORM_OPERATORS`, comma-separated). In production the role comes
 * from the Supabase user's `app_metadata.kiln_role`, set with the service key.
 */
export function platformOperatorEmails(env: Env): string[] {
  const configured = env.KILN_PLATFORM_OPERATORS?.split(",")
    .map((email) => email.trim().toLowerCase())
    .filter(Boolean);
  if (configured && configured.length > 0) return configured;
  return isDevelopment(env) ? DEFAULT_DEVELOPMENT_OPERATORS : [];
}
