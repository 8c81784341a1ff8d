/**
 * Provider routing, as operators edit it through the ops API and as the
 * TeamGateway reads it from KV: per model class an ordered chain of
 * provider + model targets, each with its own timeouts and retry count, and
 * switches that take a provider or a single target out of rotation.
 */
import { z } from "zod";

/**
 * The provider endpoints Kiln knows. Keys and base URLs come from the
 * Worker's secrets, never from KV; the simulator ones speak the OpenAI and
 * the Anthropic protocol so fallback is visible locally.
 */
export const PROVIDER_IDS = [
  "openai",
  "anthropic",
  "openai-compatible",
  "simulator-openai",
  "simulator-anthropic",
] as const;
export const providerIdSchema = z.enum(PROVIDER_IDS);
export type ProviderId = z.infer<typeof providerIdSchema>;

/** The local simulators: an answer they served is marked "simulated" wherever it shows. */
export function isSimulatedProvider(provider: string | null): boolean {
  return provider?.startsWith("simulator-") ?? false;
}

export const timeoutsSchema = z.object({
  /** Until the provider answers with a streaming 200. */
  connectMs: z.number().int().min(50).max(120_000),
  /** From that answer to the first piece of text. */
  firstTokenMs: z.number().int().min(50).max(300_000),
  /** The longest silence between two pieces once text flows. */
  idleMs: z.number().int().min(50).max(300_000),
});
export type Timeouts = z.infer<typeof timeoutsSchema>;

export const DEFAULT_TIMEOUTS: Timeouts = {
  connectMs: 10_000,
  firstTokenMs: 45_000,
  idleMs: 30_000,
};

export const targetSchema = z.object({
  provider: providerIdSchema,
  model: z.string().trim().min(1).max(100),
  enabled: z.boolean(),
  /** Extra tries of this target before moving on (0 = one try). */
  retries: z.number().int().min(0).max(3),
  timeouts: timeoutsSchema,
});
export type RoutingTarget = z.infer<typeof targetSchema>;

const classNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, "lower-case letters, digits, -");

export const routingConfigSchema = z
  .object({
    defaultClass: classNameSchema,
    classes: z
      .record(classNameSchema, z.object({ targets: z.array(targetSchema).min(1).max(6) }))
      .refine((classes) => Object.keys(classes).length > 0 && Object.keys(classes).length <= 10, {
        message: "between 1 and 10 model classes",
      }),
    disabledProviders: z.array(providerIdSchema).max(PROVIDER_IDS.length),
  })
  .refine((config) => config.defaultClass in config.classes, {
    message: "defaultClass must name one of the classes",
    path: ["defaultClass"],
  });
export type RoutingConfig = z.infer<typeof routingConfigSchema>;

/** What KV holds and the ops API returns: the config and its version. */
export type RoutingDocument = {
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
  /** "default" until an operator first saves; then "kv". */
  source: "default" | "kv";
  config: RoutingConfig;
};

export const routingUpdateSchema = z.object({
  /** The version the operator edited; a different stored version means someone else saved. */
  expectedVersion: z.number().int().min(0),
  config: routingConfigSchema,
});
export type RoutingUpdate = z.infer<typeof routingUpdateSchema>;

export type BreakerView = {
  provider: string;
  state: "closed" | "open" | "half_open";
  calls: number;
  failures: number;
  /** When a refusing breaker next lets a trial through; null while calls go through. */
  reopensAt: string | null;
};

export type OpsRoutingResponse = { routing: RoutingDocument };
export type OpsBreakersResponse = { teamId: string; breakers: BreakerView[] };
