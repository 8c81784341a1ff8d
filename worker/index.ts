import { createApp } from "./app.ts";
import type { Env } from "./env.ts";

export { PlatformMetrics } from "../durable-objects/observability/platform-metrics.ts";
export { TeamGateway } from "../durable-objects/team-gateway.ts";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
