/**
 * Wrangler does not inherit bindings or vars into environments, so a binding
 * added at the top level (local development) and forgotten in staging or
 * production deploys a Worker that fails at run time. This test reads the
 * configuration as wrangler resolves it and requires the same bindings in
 * every environment, on resources of their own.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { projectRoot } from "../../local/stack.ts";

const ENVIRONMENTS = ["staging", "production"] as const;

type Named = { binding?: string; name?: string };
/** The parts of wrangler's resolved configuration this test reads (its own types are not exported). */
type Config = {
  name?: string;
  vars?: Record<string, unknown>;
  observability?: { enabled?: boolean };
  migrations?: unknown[];
  assets?: { binding?: string };
  durable_objects?: { bindings?: Named[] };
  kv_namespaces?: Array<Named & { id?: string }>;
  hyperdrive?: Array<Named & { id?: string }>;
  queues?: { producers?: Array<Named & { queue: string }>; consumers?: unknown[] };
  ratelimits?: Array<Named & { namespace_id: string }>;
  analytics_engine_datasets?: Array<Named & { dataset?: string }>;
  services?: Named[];
  r2_buckets?: Named[];
  d1_databases?: Named[];
};

function read(environment?: string): Config {
  return unstable_readConfig({
    config: join(projectRoot, "wrangler.toml"),
    ...(environment ? { env: environment } : {}),
  }) as Config;
}

/** The binding names of each kind: what the Worker's code reads from `env`. */
function bindingNames(config: Config): Record<string, string[]> {
  const names = (list: Named[] | undefined) =>
    (list ?? []).map((entry) => entry.binding ?? entry.name ?? "").sort();
  return {
    vars: Object.keys(config.vars ?? {}).sort(),
    durableObjects: names(config.durable_objects?.bindings),
    kv: names(config.kv_namespaces),
    hyperdrive: names(config.hyperdrive),
    queueProducers: names(config.queues?.producers),
    queueConsumers: (config.queues?.consumers ?? []).map(() => "consumer"),
    rateLimits: names(config.ratelimits),
    analyticsEngine: names(config.analytics_engine_datasets),
    services: names(config.services),
    r2: names(config.r2_buckets),
    d1: names(config.d1_databases),
    assets: config.assets?.binding ? [config.assets.binding] : [],
  };
}

/** Names of the Cloudflare resources an environment uses; none may be shared. */
function resources(config: Config): string[] {
  return [
    ...(config.kv_namespaces ?? []).map((kv) => `kv:${kv.id}`),
    ...(config.hyperdrive ?? []).map((hyperdrive) => `hyperdrive:${hyperdrive.id}`),
    ...(config.queues?.producers ?? []).map((queue) => `queue:${queue.queue}`),
    ...(config.ratelimits ?? []).map((limit) => `ratelimit:${limit.namespace_id}`),
    ...(config.analytics_engine_datasets ?? []).map((dataset) => `dataset:${dataset.dataset}`),
  ];
}

describe("wrangler environments", () => {
  const local = read();

  it.each(ENVIRONMENTS)("%s has every binding the local configuration has", (environment) => {
    const deployed = bindingNames(read(environment));
    const wanted = bindingNames(local);

    for (const [kind, names] of Object.entries(wanted)) {
      const missing = names.filter((name) => !deployed[kind]?.includes(name));
      expect(missing, `${kind} missing from [env.${environment}] in wrangler.toml`).toEqual([]);
    }
  });

  it.each(ENVIRONMENTS)("%s names its environment, keeps observability on", (environment) => {
    const config = read(environment);
    expect(config.name).toBe(`kiln-${environment}`);
    expect(config.vars?.ENVIRONMENT).toBe(environment);
    expect(config.observability?.enabled).toBe(true);
    expect(config.migrations).toEqual(local.migrations);
  });

  it("gives staging and production resources of their own", () => {
    const staging = resources(read("staging"));
    const production = resources(read("production"));
    const shared = staging.filter((resource) => production.includes(resource));
    const fromLocal = [...staging, ...production].filter((resource) =>
      resources(local).includes(resource),
    );

    expect(staging.length).toBeGreaterThan(0);
    expect(shared).toEqual([]);
    expect(fromLocal).toEqual([]);
  });
});
