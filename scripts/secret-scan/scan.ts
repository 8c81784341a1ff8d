/**
 * Scans every file git would commit (tracked files, and untracked ones that
 * are not ignored) for key-shaped strings. `.secret-scan-allow` at the root
 * lists exceptions, one a line, each with a reason after `#`:
 *
 *   fingerprint 3f2a9c0d11e4b7a2   # documented sample key in docs/x.md
 *   path test/fixtures/keys/       # a folder or file of deliberate fixtures
 */
import { execFile, spawn } from "node:child_process";
import { open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Finding, scanText } from "./rules.ts";

const run = promisify(execFile);

/**
 * Files are read this much at a time, so a file of any size is scanned in
 * bounded memory; a line longer than this (minified, binary) is cut, and the
 * cut keeps an overlap longer than any key so none is split unseen.
 */
const CHUNK_BYTES = 1024 * 1024;
const OVERLAP_CHARACTERS = 4096;

export const ALLOW_FILE = ".secret-scan-allow";

export type AllowList = { fingerprints: Set<string>; paths: string[] };

/** A path the allow-list names, itself or under a folder it names. */
function isAllowedPath(allow: AllowList, path: string): boolean {
  return allow.paths.some((allowed) => path === allowed || path.startsWith(allowed));
}

export async function scanRepository(root: string): Promise<Finding[]> {
  const allow = await readAllowList(root);
  const findings: Finding[] = [];

  for (const path of await listCommittableFiles(root)) {
    if (isAllowedPath(allow, path)) continue;
    findings.push(...(await scanFile({ root, path, allowedFingerprints: allow.fingerprints })));
  }
  return findings;
}

/**
 * Scans every version of every file in the history of HEAD: a key committed
 * and deleted in the next commit is still in the repository. Each distinct
 * blob is read once (`git cat-file --batch`); a finding names the path it
 * had and its blob id (`git log --all --find-object=<blob>` finds the commits).
 */
export async function scanHistory(root: string): Promise<Finding[]> {
  const allow = await readAllowList(root);
  const head = await run("git", ["rev-parse", "--verify", "-q", "HEAD"], { cwd: root }).catch(
    () => undefined,
  );
  if (!head) return []; // No commit yet: the files are all there is.
  const { stdout: objects } = await run("git", ["rev-list", "--objects", "HEAD"], {
    cwd: root,
    maxBuffer: 256 * 1024 * 1024,
  });
  const pathOfBlob = new Map<string, string>();
  for (const line of objects.split("\n")) {
    const space = line.indexOf(" ");
    if (space === -1) continue;
    const path = line.slice(space + 1);
    if (isAllowedPath(allow, path)) continue;
    pathOfBlob.set(line.slice(0, space), path);
  }
  const findings: Finding[] = [];
  for await (const { id, type, content } of readObjects(root, [...pathOfBlob.keys()])) {
    if (type !== "blob") continue;
    const path = pathOfBlob.get(id) ?? id;
    const text = printable(new TextDecoder(encodingOf(content)).decode(content));
    for (const finding of scanText({ path, text, allowedFingerprints: allow.fingerprints })) {
      findings.push({ ...finding, path: `${path} (history, blob ${id.slice(0, 12)})` });
    }
  }
  return findings;
}

/** Object contents from one `git cat-file --batch` process, in the order asked. */
async function* readObjects(
  root: string,
  ids: string[],
): AsyncGenerator<{ id: string; type: string; content: Uint8Array }> {
  if (ids.length === 0) return;
  const child = spawn("git", ["cat-file", "--batch"], { cwd: root });
  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  child.stdin.end(`${ids.join("\n")}\n`);
  if ((await exited) !== 0) throw new Error("git cat-file --batch failed");
  const output = Buffer.concat(chunks);
  let offset = 0;
  while (offset < output.length) {
    const headerEnd = output.indexOf(0x0a, offset);
    const [id = "", type = "", size = "0"] = output
      .subarray(offset, headerEnd)
      .toString()
      .split(" ");
    const start = headerEnd + 1;
    const end = start + Number(size);
    yield { id, type, content: output.subarray(start, end) };
    offset = end + 1;
  }
}

/**
 * Scans one file in chunks. UTF-16 (by its byte-order mark) is decoded as
 * such; anything else as UTF-8, with control characters and undecodable
 * bytes turned into spaces, so a binary file is scanned as its printable
 * runs and line numbers still count its newline bytes.
 */
export async function scanFile(options: {
  root: string;
  path: string;
  allowedFingerprints?: ReadonlySet<string>;
}): Promise<Finding[]> {
  const absolute = join(options.root, options.path);
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isFile()) return [];

  const file = await open(absolute, "r");
  const findings: Finding[] = [];
  const seen = new Set<string>();
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    let decoder: TextDecoder | undefined;
    let pending = "";
    let firstLine = 1;

    const scan = (text: string) => {
      for (const finding of scanText({
        path: options.path,
        text,
        allowedFingerprints: options.allowedFingerprints,
      })) {
        const line = firstLine + finding.line - 1;
        const key = `${line}:${finding.fingerprint}`;
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push({ ...finding, line });
      }
    };

    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, null);
      const bytes = buffer.subarray(0, bytesRead);
      decoder ??= new TextDecoder(encodingOf(bytes), { fatal: false, ignoreBOM: false });
      pending += printable(decoder.decode(bytes, { stream: bytesRead > 0 }));
      if (bytesRead === 0) break;

      const lastNewline = pending.lastIndexOf("\n");
      if (lastNewline !== -1) {
        const complete = pending.slice(0, lastNewline);
        scan(complete);
        firstLine += countNewlines(complete) + 1;
        pending = pending.slice(lastNewline + 1);
      } else if (pending.length > CHUNK_BYTES) {
        // One endless line: scan it so far, keep its tail for the next chunk.
        scan(pending);
        pending = pending.slice(-OVERLAP_CHARACTERS);
      }
    }
    if (pending) scan(pending);
  } finally {
    await file.close();
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

function encodingOf(start: Uint8Array): string {
  if (start[0] === 0xff && start[1] === 0xfe) return "utf-16le";
  if (start[0] === 0xfe && start[1] === 0xff) return "utf-16be";
  return "utf-8";
}

/** Control characters (NUL included) and U+FFFD become spaces; tabs and newlines stay. */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/g, " ");
}

function countNewlines(text: string): number {
  let count = 0;
  for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) count++;
  return count;
}
