/**
 * The shapes of credentials that must never enter the repository, and the
 * scan of one file's text against them. Each rule matches the documented
 * prefix or framing of one kind of key; a low-entropy body ("sk-xxxx…",
 * "e2b_0000…") is a placeholder, not a key, and is not reported. Two rules
 * look at context instead of a prefix: a random-looking value assigned to a
 * setting named `*_SECRET`, `*_TOKEN`, `*_KEY` or `*PASSWORD`, and the
 * password of a Postgres URL to a host other than this machine; documented
 * placeholders ("your-secret-here", "<password>") pass both.
 */
import { createHash } from "node:crypto";

export type SecretRule = {
  id: string;
  description: string;
  pattern: RegExp;
  /** Bodies below this Shannon entropy (bits per character) are placeholders. */
  minEntropy: number;
  /** Decides a JWT's kind from its payload; other rules leave it out. */
  classify?: (match: string) => string | undefined;
  /**
   * The credential inside the match (an assignment's value, a URL's
   * password), or undefined when it is a placeholder: entropy, fingerprint
   * and redaction then apply to it alone. Without it, to the whole match.
   */
  secretOf?: (match: RegExpMatchArray) => string | undefined;
};

export type Finding = {
  path: string;
  line: number;
  rule: string;
  description: string;
  /** First 16 hex digits of the match's SHA-256: what the allow-list names. */
  fingerprint: string;
  /** The match with its middle hidden, so the report itself leaks nothing. */
  redacted: string;
};

/** A line carrying this marker is skipped: for fixtures that must look like keys. */
export const INLINE_ALLOW_MARKER = "secret-scan: allow";

export const SECRET_RULES: SecretRule[] = [
  {
    id: "anthropic-api-key",
    description: "Anthropic API key (sk-ant-…)",
    pattern: /\bsk-ant-[A-Za-z0-9_-]{32,}/g,
    minEntropy: 3,
  },
  {
    id: "openai-api-key",
    description: "OpenAI API key (sk-…, sk-proj-…)",
    pattern: /\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,}/g,
    minEntropy: 3,
  },
  {
    id: "aws-access-key-id",
    description: "AWS access key id (AKIA…, ASIA…)",
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
    minEntropy: 2.5,
  },
  {
    id: "aws-secret-access-key",
    description: "AWS secret access key assigned to a variable",
    // Its own end, not \b: a key ending in "/" or "+" has no word boundary after it.
    pattern: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/gi,
    minEntropy: 3,
  },
  {
    id: "github-token",
    description: "GitHub token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)",
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/g,
    minEntropy: 3,
  },
  {
    id: "supabase-secret-key",
    description: "Supabase secret API key (sb_secret_…)",
    pattern: /\bsb_secret_[A-Za-z0-9_-]{20,}/g,
    minEntropy: 3,
  },
  {
    id: "jwt",
    description: "JSON Web Token",
    pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g,
    minEntropy: 3,
    classify: (match) =>
      jwtRole(match) === "service_role"
        ? "Supabase service-role key (a JWT with role service_role)"
        : undefined,
  },
  {
    id: "e2b-api-key",
    description: "E2B API key (e2b_…)",
    pattern: /\be2b_[A-Za-z0-9]{32,}\b/g,
    minEntropy: 3,
  },
  {
    id: "private-key",
    description: "PEM private key block",
    pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g,
    minEntropy: 0,
  },
  {
    id: "stripe-secret-key",
    description: "Stripe secret key (sk_live_…, rk_live_…)",
    pattern: /\b[rs]k_live_[A-Za-z0-9]{20,}/g,
    minEntropy: 3,
  },
  {
    id: "slack-token",
    description: "Slack token (xoxb-, xoxp-, …)",
    pattern: /\bxox[abposr]-[A-Za-z0-9-]{20,}/g,
    minEntropy: 3,
  },
  {
    id: "sentry-auth-token",
    description: "Sentry auth token (sntrys_…, sntryu_…)",
    pattern: /\bsntry[su]_[A-Za-z0-9_=+/-]{40,}/g,
    minEntropy: 3,
  },
  {
    id: "google-api-key",
    description: "Google API key (AIza…)",
    pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
    minEntropy: 3.5,
  },
  {
    id: "slack-webhook-url",
    description: "Slack incoming-webhook URL (hooks.slack.com/services/…)",
    pattern:
      /\bhooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]{16,}/g,
    minEntropy: 3,
  },
  {
    // Upstash REST tokens are base64 of a record that starts the same way,
    // so they begin "A" + 4 characters + "ASQg"; assigned ones are caught
    // below by name too.
    id: "upstash-redis-rest-token",
    description: "Upstash Redis REST token",
    pattern: /\bA[A-Za-z0-9]{4}ASQg[A-Za-z0-9_-]{40,}=*/g,
    minEntropy: 3,
  },
  {
    id: "postgres-url-password",
    description: "Postgres connection string with a password",
    pattern: /\bpostgres(?:ql)?:\/\/([^\s:/@"'`]+):([^\s@"'`]+)@([^\s/:?"'`]+)/g,
    minEntropy: 0,
    secretOf: (match) => {
      const [, user = "", password = "", host = ""] = match;
      if (LOOPBACK_HOSTS.has(host.replace(/^\[|\]$/g, ""))) return undefined;
      if (password === user || isPlaceholder(password)) return undefined;
      return password;
    },
  },
  {
    // `*_SECRET`, `*_TOKEN`, `*_KEY`, `*PASSWORD` set to a random-looking
    // value: .env and .dev.vars lines, TOML, YAML, JSON and TypeScript.
    id: "secret-assignment",
    description: "credential assigned to a secret-named setting",
    pattern: new RegExp(
      `(?<![A-Za-z0-9_])["']?((?=[A-Za-z])[A-Za-z0-9_.-]*?(?:secret|token|api_?key|private_?key|access_?key|secret_?key|signing_?key|_key|password|passwd))["']?` +
        String.raw`\s*(?::=|=|:)\s*["'\x60]?([A-Za-z0-9+/=_.~-]{20,})(?=["'\x60]|\s|$|[,;#}])`,
      "gi",
    ),
    minEntropy: 3.5,
    secretOf: (match) => {
      const value = match[2] ?? "";
      return looksRandom(value) && !isPlaceholder(value) ? value : undefined;
    },
  },
];

const LOOPBACK_HOSTS = new Set([
  "127.0.0.1",
  "localhost",
  "::1",
  "0.0.0.0",
  "host.docker.internal",
]);

/**
 * Words that mark a documented example, never a key someone was issued,
 * matched in one case (`your`, `YOUR`) so a random key does not hit them.
 */
const PLACEHOLDER_WORDS = [
  "your",
  "example",
  "placeholder",
  "changeme",
  "change_me",
  "replace",
  "redacted",
  "dummy",
  "sample",
  "fake",
  "xxxx",
];
const PLACEHOLDER_MARKS = /\.\.\.|[<>[\]{}$*]/;
const PLACEHOLDER_VALUES = new Set(["postgres", "password", "pass", "secret", "test", "kiln"]);

function isPlaceholder(value: string): boolean {
  if (PLACEHOLDER_MARKS.test(value) || PLACEHOLDER_VALUES.has(value.toLowerCase())) return true;
  return PLACEHOLDER_WORDS.some(
    (word) => value.includes(word) || value.includes(word.toUpperCase()),
  );
}

/**
 * A generated credential mixes character classes (a hex digest mixes
 * digits and letters; random letters alone spread widely); words joined by
 * dashes or camel case do not.
 */
function looksRandom(value: string): boolean {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((pattern) => pattern.test(value)).length;
  if (classes < 2) return false;
  return /[0-9]/.test(value) || shannonEntropy(value) >= 4.3;
}

export function scanText(options: {
  path: string;
  text: string;
  allowedFingerprints?: ReadonlySet<string>;
}): Finding[] {
  const findings: Finding[] = [];
  const lines = options.text.split("\n");

  lines.forEach((lineText, index) => {
    if (lineText.includes(INLINE_ALLOW_MARKER)) return;

    const claimed: Array<[number, number]> = [];
    for (const rule of SECRET_RULES) {
      for (const match of lineText.matchAll(rule.pattern)) {
        const start = match.index;
        const end = start + match[0].length;
        // A longer, more specific rule already reported this span (sk-ant- before sk-).
        if (claimed.some(([from, to]) => start < to && end > from)) continue;
        const secret = rule.secretOf ? rule.secretOf(match) : match[0];
        if (secret === undefined || shannonEntropy(secret) < rule.minEntropy) continue;

        const fingerprint = fingerprintOf(secret);
        if (options.allowedFingerprints?.has(fingerprint)) continue;

        claimed.push([start, end]);
        findings.push({
          path: options.path,
          line: index + 1,
          rule: rule.id,
          description: rule.classify?.(match[0]) ?? rule.description,
          fingerprint,
          redacted: redact(secret),
        });
      }
    }
  });
  return findings;
}

export function fingerprintOf(secret: string): string {
  return createHash("sha256").update(secret).digest("hex").slice(0, 16);
}

export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);

  let entropy = 0;
  for (const count of counts.values()) {
    const probability = count / text.length;
    entropy -= probability * Math.log2(probability);
  }
  return entropy;
}

function jwtRole(token: string): unknown {
  try {
    const payload = token.split(".")[1] ?? "";
    return (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { role?: unknown })
      .role;
  } catch {
    return undefined;
  }
}

function redact(secret: string): string {
  if (secret.startsWith("-----")) return secret;
  // A short secret (a password) shows at most a quarter of itself.
  const shown = Math.min(8, Math.floor(secret.length / 4));
  const tail = secret.length >= 24 ? secret.slice(-2) : "";
  return `${secret.slice(0, shown)}…${tail} (${secret.length} chars)`;
}
