import { isDevelopment } from "../config.ts";
import type { Env } from "../env.ts";

/**
 * Only used when ENVIRONMENT is development or test and no secret is set, so
 * `npm run dev` works with nothing configured. Tokens signed with it are
 * refused everywhere else, because outside development this returns undefined.
 */
const LOCAL_DEVELOPMENT_SECRET = "kiln-local-development-secret-never-valid-in-production";

const encoder = new TextEncoder();

/** The HS256 key for Supabase's legacy JWT secret, or the local one in development. */
export function hs256Secret(env: Env): Uint8Array | undefined {
  if (env.SUPABASE_JWT_SECRET) return encoder.encode(env.SUPABASE_JWT_SECRET);
  if (isDevelopment(env)) return encoder.encode(LOCAL_DEVELOPMENT_SECRET);
  return undefined;
}

/**
 * Where the project's public signing keys are: `SUPABASE_JWKS_URL`, else
 * `<SUPABASE_URL>/auth/v1/.well-known/jwks.json`; undefined when neither is
 * set (HS256 only).
 */
export function jwksUrl(env: Env): string | undefined {
  if (env.SUPABASE_JWKS_URL) return env.SUPABASE_JWKS_URL;
  if (!env.SUPABASE_URL) return undefined;
  return `${env.SUPABASE_URL.replace(/\/+$/, "")}/auth/v1/.well-known/jwks.json`;
}
