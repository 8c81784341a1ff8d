/**
 * The Hono app: middleware in the order every request meets it, then the
 * routes. Which routes need a signed-in caller is decided here, in one place.
 */
import { Hono } from "hono";
import { contextStorage } from "hono/context-storage";
import { admissionRoutes } from "./admission/routes.ts";
import { isDevelopment } from "./config.ts";
import type { AppBindings } from "./env.ts";
import { requireAuth } from "./middleware/auth/index.ts";
import { limitBody } from "./middleware/body/index.ts";
import { limitBodyByRoute } from "./middleware/body/route-limits.ts";
import { errorHandler, notFoundHandler } from "./middleware/errors/index.ts";
import { rateLimit } from "./middleware/rate-limit/index.ts";
import { requestId } from "./middleware/request-id/index.ts";
import { observeRequests } from "./observability/middleware.ts";
import { observabilityRoutes } from "./observability/routes.ts";
import { chatRoutes } from "./routes/chat.ts";
import { devBenchRoutes } from "./routes/dev-bench.ts";
import { devSignInRoutes } from "./routes/dev-sign-in.ts";
import { limitsRoutes } from "./routes/limits.ts";
import { opsLimitsRoutes } from "./routes/ops-limits.ts";
import { opsRoutingRoutes } from "./routes/ops-routing.ts";
import { publicRoutes } from "./routes/public.ts";
import { sandboxRoutes } from "./routes/sandbox.ts";
import { teamRoutes } from "./routes/team.ts";
import { workspaceRoutes } from "./routes/workspace.ts";

/** Largest request body: a message plus its attachments, with room for JSON escaping. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function createApp() {
  const app = new Hono<AppBindings>();

  app.use("*", contextStorage());
  app.use("*", requestId());
  app.use("*", observeRequests());
  app.onError(errorHandler());
  app.notFound(notFoundHandler());
  app.use("/api/*", rateLimit({ scope: "ip" }));
  app.use("/api/*", limitBody(MAX_BODY_BYTES));
  app.use("/api/*", limitBodyByRoute());

  app.route("/api", publicRoutes);

  app.use("/api/dev/*", async function developmentOnly(c, next) {
    if (!isDevelopment(c.env)) return notFoundHandler()(c);
    await next();
  });
  app.route("/api/dev", devSignInRoutes);
  app.route("/api/dev", devBenchRoutes);

  app.use("/api/*", requireAuth());
  app.use("/api/*", rateLimit({ scope: "user" }));
  app.route("/api", workspaceRoutes);
  app.route("/api", chatRoutes);
  app.route("/api", teamRoutes);
  app.route("/api", limitsRoutes);
  app.route("/api/ops", opsLimitsRoutes);
  app.route("/api/ops", opsRoutingRoutes);
  app.route("/api", sandboxRoutes);
  app.route("/api/ops", admissionRoutes);
  app.route("/api", observabilityRoutes);

  return app;
}
