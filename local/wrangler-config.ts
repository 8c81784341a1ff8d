/**
 * A copy of wrangler.toml with other edge rate limits, for a stack that must
 * carry more traffic than one person makes (the benchmark). The Workers
 * rate-limiting binding takes its figures only from the configuration file,
 * so the copy is written as JSON under the stack's state folder, with its
 * paths made absolute, and `KILN_RATE_LIMITS` is set to the same figures so
 * the Worker's own view of the limits stays in step (config.ts).
 */
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { EdgeScope, EdgeWindow } from "../worker/middleware/rate-limit/config.ts";

const BINDING_SCOPES: Record<string, EdgeScope> = {
  RATE_LIMIT_USER: "user",
  RATE_LIMIT_TEAM: "team",
  RATE_LIMIT_IP: "ip",
};

export type EdgeLimits = Partial<Record<EdgeScope, EdgeWindow>>;

export async function writeConfigWithEdgeLimits(options: {
  projectRoot: string;
  stateDir: string;
  limits: EdgeLimits;
}): Promise<{ configPath: string; rateLimitsVar: string }> {
  for (const window of Object.values(options.limits)) {
    // The binding's only periods (wrangler.toml's own comment).
    if (window.windowSeconds !== 10 && window.windowSeconds !== 60) {
      throw new Error(`edge limit windows must be 10 or 60 s, not ${window.windowSeconds}`);
    }
  }
  // wrangler's own reader, so the copy is exactly what `wrangler dev` would have read.
  const { experimental_readRawConfig } = await importWrangler();
  const { rawConfig } = experimental_readRawConfig({
    config: join(options.projectRoot, "wrangler.toml"),
  });
  const ratelimits = (rawConfig.ratelimits ?? []).map(
    (binding: { name: string; simple: unknown }) => {
      const scope = BINDING_SCOPES[binding.name];
      const window = scope ? options.limits[scope] : undefined;
      return window
        ? { ...binding, simple: { limit: window.limit, period: window.windowSeconds } }
        : binding;
    },
  );
  const config = {
    ...rawConfig,
    main: resolve(options.projectRoot, rawConfig.main ?? "worker/index.ts"),
    ...(rawConfig.assets?.directory
      ? {
          assets: {
            ...rawConfig.assets,
            directory: resolve(options.projectRoot, rawConfig.assets.directory),
          },
        }
      : {}),
    ratelimits,
  };
  const configPath = join(options.stateDir, "wrangler.json");
  await writeFile(configPath, JSON.stringify(config, null, 2));
  return { configPath, rateLimitsVar: JSON.stringify(options.limits) };
}

/**
 * wrangler's module, without the SIGINT and SIGTERM handlers it installs on
 * import: they call `process.exit()` at once, which would end a caller's
 * own Ctrl-C cleanup (the benchmark's) and leave its stacks running. A
 * caller with its own handlers imports it first, before it installs them.
 */
export async function importWrangler(): Promise<typeof import("wrangler")> {
  const signals = ["SIGINT", "SIGTERM"] as const;
  const before = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
  const wrangler = await import("wrangler");
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.includes(listener)) process.removeListener(signal, listener);
    }
  }
  return wrangler;
}
