import type { Context, MiddlewareHandler } from "hono";
import { type AuthContext, verifyAccessToken } from "../../auth/verify.ts";
import type { AppBindings } from "../../env.ts";
import { ApiError } from "../../errors.ts";

/** Requires `Authorization: Bearer <Supabase access token>` and records who called. */
export function requireAuth(): MiddlewareHandler<AppBindings> {
  return async function requireAuthMiddleware(c, next) {
    const auth = await verifiedCaller(c);
    if (!auth) {
      throw new ApiError({
        status: 401,
        code: "unauthorized",
        message: "This route needs an access token.",
        hint: "Send `Authorization: Bearer <access_token>`; sign in to get one.",
      });
    }

    c.set("auth", auth);
    await next();
  };
}

/**
 * The caller behind the request's bearer token: undefined when there is none,
 * a rejection (401, or 503 when the keys cannot be loaded) when it does not
 * verify. Checked once per request and remembered, because the per-IP rate
 * limit asks first (only a verified caller is exempt from it) and
 * `requireAuth` asks again.
 */
export function verifiedCaller(c: Context<AppBindings>): Promise<AuthContext | undefined> {
  const remembered = c.get("bearerCheck");
  if (remembered) return remembered;

  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
  const token = match?.[1];
  const check = token
    ? verifyAccessToken({ env: c.env, token, requestUrl: c.req.url })
    : Promise.resolve(undefined);
  // Whoever asks handles the rejection; the remembered promise itself must not be unhandled.
  check.catch(() => {});
  c.set("bearerCheck", check);
  return check;
}

/** Lets only Kiln's platform operators through (ops API); runs after `requireAuth`. */
export function requirePlatformOperator(): MiddlewareHandler<AppBindings> {
  return async function requirePlatformOperatorMiddleware(c, next) {
    if (!c.get("auth").isPlatformOperator) {
      throw new ApiError({
        status: 403,
        code: "forbidden",
        message: "Only Kiln's platform operators may use this route.",
        hint: "Ask an operator; the role is set in the user's app_metadata.kiln_role.",
      });
    }
    await next();
  };
}
