import type { MiddlewareHandler } from "hono";
import { verifyAccessToken } from "../../auth/verify.ts";
import type { AppBindings } from "../../env.ts";
import { ApiError } from "../../errors.ts";

/** Requires `Authorization: Bearer <Supabase access token>` and records who called. */
export function requireAuth(): MiddlewareHandler<AppBindings> {
  return async function requireAuthMiddleware(c, next) {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      throw new ApiError({
        status: 401,
        code: "unauthorized",
        message: "This route needs an access token.",
        hint: "Send `Authorization: Bearer <access_token>`; sign in to get one.",
      });
    }

    const auth = await verifyAccessToken({ env: c.env, token: match[1], requestUrl: c.req.url });
    c.set("auth", auth);
    await next();
  };
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
