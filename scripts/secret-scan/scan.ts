/**
 * Scans every file git would commit (tracked files, and untracked ones that
 * are not ignored) for key-shaped strings. `.secret-scan-allow` at the root
 * lists exceptions, one a line, each with a reason after `#`:
 *
 *   fingerprint 3f2a9c0d11e4b7a2   # documented sample key in docs/x.md
 *   path test/fixtures/keys/       # a folder or file of deliberate fixtures
 */
import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Finding, scanText } from "./rules.ts";

const run = promisify(execFile);

/** Larger files are generated or vendored; keys are short and live in small files. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

export const ALLOW_FILE = ".secret-scan-allow";

export type AllowList = { fingerprints: Set<string>; paths: string[] };

export async function scanRepository(root: string): Promise<Finding[]> {
  const allow = await readAllowList(root);
  const findings: Finding[] = [];

  for (const path of await listCommittableFiles(root)) {
    if (allow.paths.some((allowed) => path === allowed || path.startsWith(allowed))) continue;
    const text = await readTextFile(join(root, path));
    if (text === undefined) continue;
    findings.push(...scanText({ path, text, allowedFingerprints: allow.fingerprints }));
  }
  return findings;
}

export function parseAllowList(text: string): AllowList {
  const allow: AllowList = { fingerprints: new Set(), paths: [] };

  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) continue;
    const [kind, value, extra] = line.split(/\s+/);
    if (!value || extra) throw new Error(`${ALLOW_FILE}:${index + 1}: expected "<kind> <value>"`);
    if (kind === "fingerprint" && /^[0-9a-f]{16}$/.test(value)) allow.fingerprints.add(value);
    else if (kind === "path") allow.paths.push(value.replace(/^\.\//, ""));
    else throw new Error(`${ALLOW_FILE}:${index + 1}: unknown entry "${line}"`);
  }
  return allow;
}

async function readAllowList(root: string): Promise<AllowList> {
  const text = await readFile(join(root, ALLOW_FILE), "utf8").catch(() => "");
  return parseAllowList(text);
}

async function listCommittableFiles(root: string): Promise<string[]> {
  const { stdout } = await run(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  );
  return [...new Set(stdout.split("\0").filter(Boolean))].sort();
}

async function readTextFile(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile() || info.size > MAX_FILE_BYTES) return undefined;

  const bytes = await readFile(path);
  if (bytes.includes(0)) return undefined;
  return bytes.toString("utf8");
}
