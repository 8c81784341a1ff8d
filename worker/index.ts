import { createApp } from "./app.ts";
import { consumeWrites } from "./db/queue-consumer.ts";
import type { WriteMessage } from "./db/write-queue.ts";
import type { Env } from "./env.ts";

export { PlatformMetrics } from "../durable-objects/observability/platform-metrics.ts";
export { TeamGateway } from "../durable-objects/team-gateway.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => consumeWrites(batch, env),
} satisfies ExportedHandler<Env, WriteMessage>;
