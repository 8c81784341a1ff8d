/**
 * `.dev.vars.example` is the one list of Kiln's secrets and settings: every
 * string the Worker's `Env` declares must be in it, so a setting added in
 * code is documented where operators look.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { projectRoot } from "../../local/stack.ts";

it("lists every variable the Worker reads", async () => {
  const envSource = await readFile(join(projectRoot, "worker", "env.ts"), "utf8");
  const example = await readFile(join(projectRoot, ".dev.vars.example"), "utf8");

  const declared = [...envSource.matchAll(/^\s+([A-Z][A-Z0-9_]+)\??: string;/gm)].map(
    (match) => match[1] ?? "",
  );
  const listed = new Set(
    [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1] ?? ""),
  );

  expect(declared.length).toBeGreaterThan(5);
  expect(declared.filter((name) => !listed.has(name))).toEqual([]);
});

it("holds no values, only names and what they are for", async () => {
  const example = await readFile(join(projectRoot, ".dev.vars.example"), "utf8");
  const assigned = example.split("\n").filter((line) => /^[A-Z][A-Z0-9_]*=./.test(line));
  expect(assigned).toEqual([]);
});
