/**
 * Edge rate limits from configuration, not code: `KILN_RATE_LIMITS` is JSON
 * like `{"user":{"limit":120,"windowSeconds":60}}`; scopes it leaves out keep
 * the defaults below. The Workers rate-limiting binding fixes its own figures
 * in wrangler.toml (`[[ratelimits]]`, period 10 or 60 s): keep both in step.
 */
import { z } from "zod";
import type { Env } from "../../env.ts";

export type EdgeScope = "user" | "team" | "ip";

const windowSchema = z.object({
  limit: z.number().int().positive(),
  windowSeconds: z.number().int().positive(),
});
export type EdgeWindow = z.infer<typeof windowSchema>;

const limitsSchema = z
  .object({ user: windowSchema, team: windowSchema, ip: windowSchema })
  .partial()
  .strict();

export const DEFAULT_EDGE_LIMITS: Record<EdgeScope, EdgeWindow> = {
  user: { limit: 120, windowSeconds: 60 },
  team: { limit: 600, windowSeconds: 60 },
  ip: { limit: 300, windowSeconds: 60 },
};

/**
 * How long Upstash may take before the limiter stops waiting. The edge limit
 * is a cheap shield in front of the TeamGateway's strongly consistent quotas,
 * so a slow Redis must not add more than this to every request.
 */
export const DEFAULT_REDIS_TIMEOUT_MS = 300;

export type EdgeLimitSettings = {
  limits: Record<EdgeScope, EdgeWindow>;
  timeoutMs: number;
  prefix: string;
  upstash: { url: string; token: string } | undefined;
};

export function edgeLimitSettings(env: Env): EdgeLimitSettings {
  let configured: z.infer<typeof limitsSchema> = {};
  if (env.KILN_RATE_LIMITS) {
    const parsed = limitsSchema.safeParse(JSON.parse(env.KILN_RATE_LIMITS));
    // A typo here must not silently switch limits off: fail loudly at the first request.
    if (!parsed.success) throw new Error(`KILN_RATE_LIMITS is invalid: ${parsed.error.message}`);
    configured = parsed.data;
  }

  const timeout = Number(env.KILN_RATE_LIMIT_TIMEOUT_MS);
  const url = env.UPSTASH_REDIS_REST_URL?.trim();
  const token = env.UPSTASH_REDIS_REST_TOKEN?.trim();
  return {
    limits: { ...DEFAULT_EDGE_LIMITS, ...configured },
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_REDIS_TIMEOUT_MS,
    prefix: env.KILN_RATE_LIMIT_PREFIX || "kiln:rl",
    upstash: url && token ? { url, token } : undefined,
  };
}
