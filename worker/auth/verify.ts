/**
 * Verifies Supabase access tokens with jose, the way Supabase issues them
 * now (asymmetric keys from the project's JWKS: ES256, RS256) and did before
 * (the legacy HS256 project secret). Either source or both may be
 * configured. Each source has a fixed algorithm allow-list, so a token
 * cannot pick how it is checked: HS256 only ever meets the secret, ES256 and
 * RS256 only ever meet a JWKS key; `none` and everything else are refused.
 *
 * A token that verified is remembered by the isolate for VERIFIED_TTL_MS
 * (never past its own expiry), so the SPA's requests with the same token do
 * not each pay the signature check: at c=1 it was about 5 % of the
 * isolate's CPU per chat. That is no weaker than the JWKS cache, which keeps
 * a key for minutes; a failed check is never remembered.
 */
import {
  decodeProtectedHeader,
  importJWK,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
} from "jose";
import { tokenIssuer } from "../config.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { JwksCache, JwksUnavailableError } from "./jwks-cache.ts";
import { hs256Secret, jwksUrl } from "./keys.ts";

export type AuthContext = {
  userId: string;
  email: string;
  /**
   * Kiln's own operators (ops API and ops page). Read from the token's
   * `app_metadata.kiln_role`, which only the service role can write in
   * Supabase, so a user cannot grant it to themselves.
   */
  isPlatformOperator: boolean;
  /** The verified claim set, handed to Postgres as `request.jwt.claims` for RLS. */
  claims: JWTPayload;
};

const USER_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const PLATFORM_OPERATOR_ROLE = "platform_operator";

/** The one clock leeway, applied to `exp`, `nbf` and `iat` alike. */
export const CLOCK_LEEWAY_SECONDS = 30;

const SECRET_ALGORITHMS = ["HS256"];
/** How long a verified token is taken as verified again without checking its signature. */
export const VERIFIED_TTL_MS = 60_000;
const MAX_VERIFIED = 10_000;
/** By what the check depends on (the keys' source, the issuer) and the token itself. */
const verified = new Map<string, { auth: AuthContext; untilMs: number }>();
const JWKS_ALGORITHMS = ["ES256", "RS256"];

export async function verifyAccessToken(options: {
  env: Env;
  token: string;
  requestUrl: string;
}): Promise<AuthContext> {
  const { env, token } = options;
  const issuer = tokenIssuer(env, options.requestUrl);
  const cacheKey = [
    env.ENVIRONMENT,
    env.SUPABASE_JWT_SECRET,
    env.SUPABASE_JWKS_URL,
    env.SUPABASE_URL,
    issuer,
    token,
  ]
    .map((part) => part ?? "")
    .join("\n");
  const now = Date.now();
  const known = verified.get(cacheKey);
  if (known && now < known.untilMs) return known.auth;
  if (known) verified.delete(cacheKey);

  const auth = await verifySignedToken({ env, token, issuer });
  const expiresAtMs = ((auth.claims.exp ?? 0) + CLOCK_LEEWAY_SECONDS) * 1000;
  if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value as string);
  verified.set(cacheKey, { auth, untilMs: Math.min(now + VERIFIED_TTL_MS, expiresAtMs) });
  return auth;
}

async function verifySignedToken(options: {
  env: Env;
  token: string;
  issuer: string;
}): Promise<AuthContext> {
  const { env, token, issuer } = options;
  const secret = hs256Secret(env);
  const keysUrl = jwksUrl(env);
  if (!secret && !keysUrl) throw notConfigured();

  const algorithm = headerAlgorithm(token);
  const verifyOptions = {
    audience: "authenticated",
    issuer,
    clockTolerance: CLOCK_LEEWAY_SECONDS,
    requiredClaims: ["sub", "exp", "iat"],
  };

  try {
    let payload: JWTPayload;
    if (secret && SECRET_ALGORITHMS.includes(algorithm)) {
      ({ payload } = await jwtVerify(token, secret, {
        ...verifyOptions,
        algorithms: SECRET_ALGORITHMS,
      }));
    } else if (keysUrl && JWKS_ALGORITHMS.includes(algorithm)) {
      const cache = new JwksCache({ url: keysUrl, kv: env.KILN_KV });
      ({ payload } = await jwtVerify(
        token,
        async (header) => {
          const jwk = header.kid ? await cache.findKey(header.kid) : undefined;
          // A key that names its algorithm is only good for that one.
          if (!jwk || (jwk.alg && jwk.alg !== header.alg)) {
            throw new joseErrors.JWKSNoMatchingKey();
          }
          return importJWK(jwk, header.alg);
        },
        { ...verifyOptions, algorithms: JWKS_ALGORITHMS },
      ));
    } else {
      throw new joseErrors.JOSEAlgNotAllowed(`"${algorithm}" is not accepted here`);
    }
    return toAuthContext(payload);
  } catch (error) {
    if (error instanceof JwksUnavailableError) throw keysUnavailable(error);
    throw invalidToken(error);
  }
}

function toAuthContext(payload: JWTPayload): AuthContext {
  const issuedAt = payload.iat ?? 0;
  if (issuedAt > Math.floor(Date.now() / 1000) + CLOCK_LEEWAY_SECONDS) {
    throw new joseErrors.JWTClaimValidationFailed("issued in the future", payload, "iat");
  }
  // Legacy anon/service keys are JWTs too; only a signed-in user's token may call.
  if (payload.role !== "authenticated" || typeof payload.sub !== "string") {
    throw new joseErrors.JWTClaimValidationFailed("not a user token", payload, "role");
  }
  // Supabase user ids are UUIDs; anything else would reach Postgres and fail there (500).
  if (!USER_ID_PATTERN.test(payload.sub)) {
    throw new joseErrors.JWTClaimValidationFailed("sub is not a user id", payload, "sub");
  }

  const appMetadata = (payload.app_metadata ?? {}) as { kiln_role?: unknown };
  return {
    userId: payload.sub,
    email: typeof payload.email === "string" ? payload.email.toLowerCase() : "",
    isPlatformOperator: appMetadata.kiln_role === PLATFORM_OPERATOR_ROLE,
    claims: payload,
  };
}

function headerAlgorithm(token: string): string {
  try {
    return decodeProtectedHeader(token).alg ?? "";
  } catch {
    return "";
  }
}

function invalidToken(error: unknown): ApiError {
  const expired = error instanceof joseErrors.JWTExpired;
  return new ApiError({
    status: 401,
    code: "unauthorized",
    message: expired ? "Your session has expired." : "The access token is not valid.",
    hint: "Sign in again to get a new token.",
    cause: error,
  });
}

function notConfigured(): ApiError {
  return new ApiError({
    status: 503,
    code: "unauthorized",
    message: "Sign-in is not configured on this server.",
    hint: "An operator must set SUPABASE_URL (JWKS) or SUPABASE_JWT_SECRET.",
  });
}

function keysUnavailable(error: unknown): ApiError {
  return new ApiError({
    status: 503,
    code: "auth_unavailable",
    message: "The sign-in keys could not be loaded, so the token cannot be checked.",
    hint: "Try again in a moment; an operator should check the Supabase project's JWKS URL.",
    cause: error,
  });
}
