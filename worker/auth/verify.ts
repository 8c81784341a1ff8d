/**
 * Verifies Supabase access tokens with jose. The algorithm allow-list is fixed
 * per key source (HS256 for the shared secret), so a token cannot choose its
 * own algorithm; issuer, audience and expiry are always checked.
 */
import { errors as joseErrors, jwtVerify } from "jose";
import { tokenIssuer } from "../config.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { hs256Secret } from "./keys.ts";

export type AuthContext = {
  userId: string;
  email: string;
  /**
   * Kiln's own operators (ops API and ops page). Read from the token's
   * `app_metadata.kiln_role`, which only the service role can write in
   * Supabase, so a user cannot grant it to themselves.
   */
  isPlatformOperator: boolean;
};

export const PLATFORM_OPERATOR_ROLE = "platform_operator";

const CLOCK_TOLERANCE_SECONDS = 30;

export async function verifyAccessToken(options: {
  env: Env;
  token: string;
  requestUrl: string;
}): Promise<AuthContext> {
  const secret = hs256Secret(options.env);
  if (!secret) {
    throw new ApiError({
      status: 503,
      code: "unauthorized",
      message: "Sign-in is not configured on this server.",
      hint: "An operator must set SUPABASE_JWT_SECRET.",
    });
  }

  try {
    const { payload } = await jwtVerify(options.token, secret, {
      algorithms: ["HS256"],
      audience: "authenticated",
      issuer: tokenIssuer(options.env, options.requestUrl),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["sub", "exp"],
    });
    if (payload.role !== "authenticated" || typeof payload.sub !== "string") {
      throw new joseErrors.JWTClaimValidationFailed("not a user token", payload, "role");
    }
    const appMetadata = (payload.app_metadata ?? {}) as { kiln_role?: unknown };
    return {
      userId: payload.sub,
      email: typeof payload.email === "string" ? payload.email : "",
      isPlatformOperator: appMetadata.kiln_role === PLATFORM_OPERATOR_ROLE,
    };
  } catch (error) {
    const expired = error instanceof joseErrors.JWTExpired;
    throw new ApiError({
      status: 401,
      code: "unauthorized",
      message: expired ? "Your session has expired." : "The access token is not valid.",
      hint: "Sign in again to get a new token.",
      cause: error,
    });
  }
}
