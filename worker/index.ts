import { createApp } from "./app.ts";
import { consumeWrites } from "./db/queue-consumer.ts";
import type { WriteMessage } from "./db/write-queue.ts";
import type { Env } from "./env.ts";
import { setLogLevel } from "./logger.ts";

export { PlatformMetrics } from "../durable-objects/observability/platform-metrics.ts";
export { TeamGateway } from "../durable-objects/team-gateway.ts";

const app = createApp();

export default {
  fetch: (request, env, ctx) => {
    setLogLevel(env.KILN_LOG_LEVEL);
    return app.fetch(request, env, ctx);
  },
  queue: (batch, env) => {
    setLogLevel(env.KILN_LOG_LEVEL);
    return consumeWrites(batch, env);
  },
} satisfies ExportedHandler<Env, WriteMessage>;
