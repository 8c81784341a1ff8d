/**
 * The secret scan catches every common key shape planted in a file, stays
 * quiet on the repository as it is, and honours its two allow-list forms.
 * Planted keys are assembled at run time, so this file holds none itself.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the placeholders are shell and GitHub expressions.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { projectRoot } from "../../local/stack.ts";
import { fingerprintOf, INLINE_ALLOW_MARKER, scanText } from "../../scripts/secret-scan/rules.ts";
import { scanFile, scanHistory, scanRepository } from "../../scripts/secret-scan/scan.ts";

const run = promisify(execFile);

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomFrom(alphabet: string, length: number): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join("");
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function jwt(payload: Record<string, unknown>): string {
  const header = base64url({ alg: "HS256", typ: "JWT" });
  return `${header}.${base64url(payload)}.${randomBytes(32).toString("base64url")}`;
}

const dash = "-".repeat(5);

/** One planted key per shape, and the rule that must report it. */
const PLANTED: Array<{ shape: string; rule: string; key: string }> = [
  { shape: "OpenAI", rule: "openai-api-key", key: `sk-${randomFrom(ALPHANUMERIC, 48)}` },
  {
    shape: "OpenAI project",
    rule: "openai-api-key",
    key: `sk-proj-${randomFrom(`${ALPHANUMERIC}_-`, 120)}`,
  },
  {
    shape: "Anthropic",
    rule: "anthropic-api-key",
    key: `sk-ant-api03-${randomFrom(`${ALPHANUMERIC}_-`, 93)}AA`,
  },
  {
    shape: "AWS key id",
    rule: "aws-access-key-id",
    key: `AKIA${randomFrom("ABCDEFGHJKLMNPQRSTUVWXYZ234567", 16)}`,
  },
  {
    shape: "AWS secret",
    rule: "aws-secret-access-key",
    key: `aws_secret_access_key = ${randomFrom(`${ALPHANUMERIC}/+`, 40)}`,
  },
  { shape: "GitHub classic", rule: "github-token", key: `ghp_${randomFrom(ALPHANUMERIC, 36)}` },
  {
    shape: "GitHub fine-grained",
    rule: "github-token",
    key: `github_pat_${randomFrom(ALPHANUMERIC, 22)}_${randomFrom(ALPHANUMERIC, 59)}`,
  },
  {
    shape: "JWT",
    rule: "jwt",
    key: jwt({ sub: "d3b07384-d9a0-4c9b-8f0e-9a1e7f1c2b3a", role: "authenticated" }),
  },
  {
    shape: "Supabase service-role key",
    rule: "jwt",
    key: jwt({
      iss: "supabase",
      ref: randomFrom("abcdefghijklmnopqrst", 20),
      role: "service_role",
    }),
  },
  {
    shape: "Supabase secret key",
    rule: "supabase-secret-key",
    key: `sb_secret_${randomFrom(`${ALPHANUMERIC}_-`, 32)}`,
  },
  { shape: "E2B", rule: "e2b-api-key", key: `e2b_${randomFrom("0123456789abcdef", 40)}` },
  {
    shape: "PEM private key",
    rule: "private-key",
    key: `${dash}BEGIN RSA PRIVATE KEY${dash}\nMIIEowIBAAKCAQEA${randomFrom(ALPHANUMERIC, 40)}`,
  },
  {
    shape: "PEM PKCS#8 private key",
    rule: "private-key",
    key: `${dash}BEGIN PRIVATE KEY${dash}\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC`,
  },
  {
    shape: "OpenSSH private key",
    rule: "private-key",
    key: `${dash}BEGIN OPENSSH PRIVATE KEY${dash}\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU`,
  },
];

describe("secret scan rules", () => {
  it.each(PLANTED)("catches a planted $shape key", ({ key, rule }) => {
    const text = `const config = {\n  value: "${key}",\n};\n`;

    const findings = scanText({ path: "worker/config.ts", text });

    expect(findings.map((finding) => finding.rule)).toEqual([rule]);
    expect(findings[0]?.line).toBe(2);
  });

  it("never prints the key it found", () => {
    const key = `sk-ant-api03-${randomFrom(ALPHANUMERIC, 90)}`;
    const [finding] = scanText({ path: "a.ts", text: key });

    expect(finding?.redacted).not.toContain(key.slice(10, 30));
    expect(finding?.fingerprint).toBe(fingerprintOf(key));
  });

  it("names a Supabase service-role key as such", () => {
    const key = jwt({ iss: "supabase", role: "service_role" });
    const [finding] = scanText({ path: ".env", text: `SUPABASE_SERVICE_ROLE_KEY=${key}` });
    expect(finding?.description).toMatch(/service-role/);
  });

  it("ignores placeholders and documented examples of the shapes", () => {
    const text = [
      "ANTHROPIC_API_KEY=sk-ant-...",
      "OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
      `E2B_API_KEY=e2b_${"0".repeat(40)}`,
      "integrity sha512-q6bzsGxLFVZ5AAq7ATHJ4KS9Z2K0KH3WnsqQfMaPzDg==",
      "ghp_ is the prefix of a classic GitHub token",
    ].join("\n");

    expect(scanText({ path: "README.md", text })).toEqual([]);
  });

  it("skips a line marked as a deliberate fixture, and an allowed fingerprint", () => {
    const marked = `const fixture = "e2b_${randomFrom("0123456789abcdef", 40)}"; // ${INLINE_ALLOW_MARKER}`;
    const allowedKey = `ghp_${randomFrom(ALPHANUMERIC, 36)}`;

    expect(scanText({ path: "a.ts", text: marked })).toEqual([]);
    expect(
      scanText({
        path: "a.ts",
        text: allowedKey,
        allowedFingerprints: new Set([fingerprintOf(allowedKey)]),
      }),
    ).toEqual([]);
  });
});

/** A secret-named setting with a random value, in each file format it is committed in. */
const ASSIGNMENTS: Array<{ format: string; path: string; line: (value: string) => string }> = [
  { format: ".env", path: ".env.production", line: (value) => `SUPABASE_JWT_SECRET=${value}` },
  { format: ".dev.vars", path: ".dev.vars.example", line: (value) => `OPENAI_API_KEY="${value}"` },
  {
    format: "TOML",
    path: "wrangler.toml",
    line: (value) => `UPSTASH_REDIS_REST_TOKEN = "${value}"`,
  },
  { format: "YAML", path: "ci.yml", line: (value) => `      DB_PASSWORD: ${value}` },
  { format: "JSON", path: "config.json", line: (value) => `  "signingKey": "${value}",` },
  {
    format: "TypeScript",
    path: "worker/x.ts",
    line: (value) => `const SESSION_SECRET = '${value}';`,
  },
];

describe("secret-named settings and connection strings", () => {
  it.each(ASSIGNMENTS)("catches a random value assigned in $format", ({ path, line }) => {
    const value = randomFrom(ALPHANUMERIC, 40);
    const findings = scanText({ path, text: `# settings\n${line(value)}\n` });

    expect(findings.map((finding) => [finding.rule, finding.line])).toEqual([
      ["secret-assignment", 2],
    ]);
    expect(findings[0]?.fingerprint).toBe(fingerprintOf(value));
    expect(findings[0]?.redacted).not.toContain(value.slice(8, 30));
  });

  it("catches a hex secret, an Upstash REST token, a Slack webhook and a Postgres password", () => {
    const hex = randomFrom("0123456789abcdef", 64);
    const upstash = `AXk${randomFrom(ALPHANUMERIC, 2)}ASQg${randomFrom(`${ALPHANUMERIC}_-`, 60)}=`;
    const slack = `https://hooks.slack.com/services/T${randomFrom("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 10)}/B${randomFrom("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 10)}/${randomFrom(ALPHANUMERIC, 24)}`;
    const password = `${randomFrom(ALPHANUMERIC, 16)}`;
    const url = `postgres://postgres.abcdefghijklmnop:${password}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres`;
    const text = [
      `KILN_WEBHOOK_SECRET=${hex}`,
      `const token = "${upstash}";`,
      `notify: ${slack}`,
      `DATABASE_URL=${url}`,
    ].join("\n");

    const findings = scanText({ path: "x.txt", text });
    expect(findings.at(-1)?.redacted).toBe(`${password.slice(0, 4)}… (16 chars)`);
    expect(findings.map((finding) => finding.rule)).toEqual([
      "secret-assignment",
      "upstash-redis-rest-token",
      "slack-webhook-url",
      "postgres-url-password",
    ]);
  });

  it("catches a Google API key in code, and not a shorter look-alike", () => {
    const google = `AIza${randomFrom(`${ALPHANUMERIC}_-`, 35)}`;
    const findings = scanText({
      path: "maps.ts",
      text: `const maps = new Maps({ key: "${google}" });\nconst note = "AIzaShort";\n`,
    });
    expect(findings.map((finding) => [finding.rule, finding.line])).toEqual([
      ["google-api-key", 1],
    ]);
    expect(findings[0]?.redacted).not.toContain(google.slice(8));
  });

  it("leaves documented placeholders, empty values, references and local databases alone", () => {
    const text = [
      "SUPABASE_JWT_SECRET=",
      "# SUPABASE_JWT_SECRET=",
      "SUPABASE_JWT_SECRET=your-secret-here",
      "OPENAI_API_KEY=sk-...",
      "UPSTASH_REDIS_REST_TOKEN=your-upstash-rest-token-here",
      "CLOUDFLARE_API_TOKEN: ${{ secrets.CLOUDFLARE_API_TOKEN }}",
      "apiKey: env.OPENAI_API_KEY,",
      'const LOCAL_DEVELOPMENT_SECRET = "kiln-local-development-secret-never-valid-in-production";',
      "DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres",
      "DATABASE_URL=postgres://kiln:K7pQ2mXv9sLw@localhost:54322/kiln",
      "postgres://postgres.<ref>:<password>@<host>:5432/postgres",
      "postgresql://app:[YOUR-PASSWORD]@db.abcdefghijklmnop.supabase.co:5432/postgres",
      "postgres://app:${DB_PASSWORD}@db.internal:5432/app",
    ].join("\n");

    expect(scanText({ path: ".dev.vars.example", text })).toEqual([]);
  });
});

describe("secret scan of files that are not small UTF-8 text", () => {
  let scratch: string | undefined;
  afterEach(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
    scratch = undefined;
  });

  async function scanWritten(name: string, bytes: Buffer) {
    scratch ??= await mkdtemp(join(tmpdir(), "kiln-secret-files-"));
    await writeFile(join(scratch, name), bytes);
    return scanFile({ root: scratch, path: name });
  }

  it("scans a file over 2 MiB to its end, with the right line number", async () => {
    const key = `ghp_${randomFrom(ALPHANUMERIC, 36)}`;
    const filler = `${"a harmless line of generated text, repeated\n".repeat(60_000)}`;
    const findings = await scanWritten("big.txt", Buffer.from(`${filler}token ${key}\n`));

    expect(Buffer.byteLength(filler)).toBeGreaterThan(2 * 1024 * 1024);
    expect(findings.map((finding) => [finding.rule, finding.line])).toEqual([
      ["github-token", 60_001],
    ]);
  });

  it("finds a key inside one endless line longer than a read", async () => {
    const key = `sk-ant-api03-${randomFrom(ALPHANUMERIC, 90)}`;
    const minified = `${"x=1;".repeat(700_000)}k="${key}";${"y=2;".repeat(10)}`;
    const findings = await scanWritten("bundle.min.js", Buffer.from(minified));
    expect(findings.map((finding) => [finding.rule, finding.line])).toEqual([
      ["anthropic-api-key", 1],
    ]);
  });

  it("scans the printable runs of a binary file", async () => {
    const key = `AKIA${randomFrom("ABCDEFGHJKLMNPQRSTUVWXYZ234567", 16)}`;
    const binary = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0xff, 0x10]),
      Buffer.from(key),
      Buffer.from([0x00, 0xc3, 0x28, 0x00]),
    ]);
    const findings = await scanWritten("image.png", binary);
    expect(findings.map((finding) => finding.rule)).toEqual(["aws-access-key-id"]);
  });

  it.each([
    ["UTF-16LE", "utf16le" as const, [0xff, 0xfe]],
    ["UTF-16BE", "utf16be" as const, [0xfe, 0xff]],
  ])("decodes a %s file by its byte-order mark", async (_, encoding, bom) => {
    const key = `sk-proj-${randomFrom(ALPHANUMERIC, 60)}`;
    const text = `first line\nOPENAI="${key}"\n`;
    const little = Buffer.from(text, "utf16le");
    const body = encoding === "utf16le" ? little : little.swap16();
    const findings = await scanWritten("notes.txt", Buffer.concat([Buffer.from(bom), body]));
    expect(findings.map((finding) => [finding.rule, finding.line])).toEqual([
      ["openai-api-key", 2],
    ]);
  });
});

describe("secret scan of a repository", () => {
  let scratch: string | undefined;
  afterEach(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
    scratch = undefined;
  });

  it("finds nothing in this repository, fixtures included", async () => {
    const findings = await scanRepository(projectRoot);
    expect(findings.map((finding) => `${finding.path}:${finding.line} ${finding.rule}`)).toEqual(
      [],
    );
  });

  it("fails the check for a key in a new, uncommitted file, and passes once it is allowed", async () => {
    scratch = await mkdtemp(join(tmpdir(), "kiln-secret-scan-"));
    await run("git", ["init", "-q"], { cwd: scratch });
    await writeFile(join(scratch, ".gitignore"), "ignored.txt\n");
    const key = `sk-ant-api03-${randomFrom(ALPHANUMERIC, 90)}`;
    await writeFile(join(scratch, "config.ts"), `export const key = "${key}";\n`);
    await writeFile(join(scratch, "ignored.txt"), `${key}\n`);

    const script = join(projectRoot, "scripts", "check-secrets.ts");
    const tsx = join(projectRoot, "node_modules", ".bin", "tsx");
    const failed = await run(tsx, [script, scratch]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain("config.ts:1: Anthropic API key");
    expect(failed?.stderr).not.toContain("ignored.txt");
    expect(failed?.stderr).not.toContain(key);

    await writeFile(
      join(scratch, ".secret-scan-allow"),
      `fingerprint ${fingerprintOf(key)}  # a fixture for this test\n`,
    );
    const passed = await run(tsx, [script, scratch]);
    expect(passed.stdout).toContain("no key-shaped strings found");
  });

  it("finds a key committed and deleted in the next commit: it is still in the history", async () => {
    scratch = await mkdtemp(join(tmpdir(), "kiln-secret-history-"));
    const git = (...args: string[]) =>
      run("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd: scratch,
      });
    await git("init", "-q");
    const key = `sk-ant-api03-${randomFrom(ALPHANUMERIC, 90)}`;
    await writeFile(join(scratch, "config.ts"), `export const key = "${key}";\n`);
    await git("add", ".");
    await git("commit", "-q", "-m", "add a key");
    await writeFile(join(scratch, "config.ts"), "export const key = process.env.KEY;\n");
    await git("commit", "-q", "-am", "remove it again");

    expect(await scanRepository(scratch)).toEqual([]);
    const inHistory = await scanHistory(scratch);
    expect(inHistory.map((finding) => finding.rule)).toHaveLength(1);
    expect(inHistory[0]?.description).toContain("Anthropic API key");
    expect(inHistory[0]?.path).toMatch(/^config\.ts \(history, blob [0-9a-f]{12}\)$/);
    expect(JSON.stringify(inHistory)).not.toContain(key);

    const script = join(projectRoot, "scripts", "check-secrets.ts");
    const tsx = join(projectRoot, "node_modules", ".bin", "tsx");
    const failed = await run(tsx, [script, scratch]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain("config.ts (history");
  });

  it("finds nothing in this repository's history", async () => {
    const findings = await scanHistory(projectRoot);
    expect(findings.map((finding) => `${finding.path}:${finding.line} ${finding.rule}`)).toEqual(
      [],
    );
  });
});
