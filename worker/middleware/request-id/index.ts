import type { MiddlewareHandler } from "hono";
import type { AppBindings } from "../../env.ts";

const SAFE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives every request an id, echoed in `X-Request-Id` on every response.
 * A well-formed incoming id is kept so a caller can correlate its own logs.
 */
export function requestId(): MiddlewareHandler<AppBindings> {
  return async function requestIdMiddleware(c, next) {
    const incoming = c.req.header("x-request-id");
    const id = incoming && SAFE_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", id);
    c.header("X-Request-Id", id);
    await next();
  };
}
