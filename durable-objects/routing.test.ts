import { describe, expect, it } from "vitest";
import type { RoutingDocument } from "../contract/routing.ts";
import type { Env } from "../worker/env.ts";
import {
  chainFor,
  defaultRouting,
  isTargetDisabled,
  parseRoutingDocument,
  RoutingCache,
} from "./routing.ts";

const env = { KILN_SIMULATOR_URL: "http://127.0.0.1:1" } as Env;

describe("routing", () => {
  it("defaults to the simulator playing two providers, so fallback exists locally", () => {
    const chain = chainFor(defaultRouting(env), undefined);
    expect(chain.map((item) => item.provider)).toEqual(["simulator-openai", "simulator-anthropic"]);
  });

  it("marks disabled providers and targets, and picks the class by name", () => {
    const config = defaultRouting(env);
    const enabled = (modelClass: string) =>
      chainFor(config, modelClass)
        .filter((item) => !isTargetDisabled(config, item))
        .map((item) => item.provider);
    config.disabledProviders = ["simulator-openai"];
    expect(enabled("draft")).toEqual(["simulator-anthropic"]);
    config.disabledProviders = [];
    const first = config.classes.final?.targets[0];
    if (first) first.enabled = false;
    expect(enabled("nope")).toEqual(["simulator-anthropic"]);
  });

  it("falls back to the default on a broken KV document instead of failing chat", () => {
    expect(parseRoutingDocument("{not json", env).source).toBe("default");
    expect(
      parseRoutingDocument(JSON.stringify({ version: 3, config: { classes: {} } }), env).source,
    ).toBe("default");
    const good = JSON.stringify({
      version: 3,
      updatedAt: null,
      updatedBy: null,
      config: defaultRouting(env),
    });
    expect(parseRoutingDocument(good, env)).toMatchObject({ version: 3, source: "kv" });
  });

  it("reads KV again only after the TTL (fake clock)", async () => {
    let now = 0;
    let reads = 0;
    const cache = new RoutingCache({ clock: () => now });
    const load = async (): Promise<RoutingDocument> => {
      reads += 1;
      return parseRoutingDocument(null, env);
    };
    await cache.get(load, 5_000);
    now = 4_999;
    await cache.get(load, 5_000);
    expect(reads).toBe(1);
    now = 5_000;
    await cache.get(load, 5_000);
    expect(reads).toBe(2);
  });
});
