/**
 * The secret scan catches every common key shape planted in a file, stays
 * quiet on the repository as it is, and honours its two allow-list forms.
 * Planted keys are assembled at run time, so this file holds none itself.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { projectRoot } from "../../local/stack.ts";
import { fingerprintOf, INLINE_ALLOW_MARKER, scanText } from "../../scripts/secret-scan/rules.ts";
import { scanRepository } from "../../scripts/secret-scan/scan.ts";

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
});
