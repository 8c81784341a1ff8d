/**
 * Body size limits per route, all enforced on the bytes actually read (see
 * `limitBody`). `/api/chat` carries a message and its attachments and keeps
 * the app-wide 4 MiB, `POST /api/sandbox` the files to run; everything else is small JSON and gets a far smaller
 * cap, so no route accepts more than it can use. The first matching prefix
 * wins; a route with no entry keeps the app-wide limit.
 */
import type { MiddlewareHandler } from "hono";
import type { AppBindings } from "../../env.ts";
import { limitBody } from "./index.ts";

const KIB = 1024;

export const ROUTE_BODY_LIMITS: [prefix: string, maxBytes: number][] = [
  ["/api/chat/stop", 4 * KIB],
  ["/api/chat", 4 * KIB * KIB],
  // A selection of code: up to 200,000 characters, 4 bytes each at worst, plus JSON.
  ["/api/context", 900 * KIB],
  ["/api/dev/", 4 * KIB],
  // Keep-alive, stop, recreate and the settings are small JSON...
  ["/api/sandbox/", 16 * KIB],
  // ...a new sandbox carries its files (up to 1,000,000 characters): the app-wide 4 MiB.
  ["/api/sandbox", 4 * KIB * KIB],
  ["/api/limits", 16 * KIB],
  ["/api/ops/prices", 256 * KIB],
  ["/api/ops/", 64 * KIB],
  ["/api/", 64 * KIB],
];

export function limitBodyByRoute(): MiddlewareHandler<AppBindings> {
  const limiters = ROUTE_BODY_LIMITS.map(
    ([prefix, maxBytes]) => [prefix, limitBody(maxBytes)] as const,
  );
  return async function limitBodyByRouteMiddleware(c, next) {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const match = limiters.find(([prefix]) => c.req.path.startsWith(prefix));
    if (!match) return next();
    return match[1](c, next);
  };
}
