/**
 * Cases A1–A4 (shared/cases/gateway-cases.md): how the Worker checks
 * Supabase access tokens when both key sources are configured, the JWKS of
 * the Supabase Auth simulator (ES256, RS256) and the HS256 project secret.
 * The JWKS cache is driven with a fake clock for its cooldown.
 */
import { env } from "cloudflare:test";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  forgetIsolateJwks,
  JWKS_REFETCH_COOLDOWN_MS,
  JwksCache,
} from "../../worker/auth/jwks-cache.ts";
import { jwksUrl } from "../../worker/auth/keys.ts";
import {
  CLOCK_LEEWAY_SECONDS,
  VERIFIED_TTL_MS,
  verifyAccessToken,
} from "../../worker/auth/verify.ts";
import { api, readError } from "./helpers.ts";

const DEV_SECRET = "kiln-local-development-secret-never-valid-in-production";
const supabaseUrl = env.SUPABASE_URL ?? "";
const issuer = `${supabaseUrl}/auth/v1`;

type Signer = { privateKey: CryptoKey; jwk: JWK };

let ecKey: Signer;
let rsaKey: Signer;
let rotatedKey: Signer;

async function makeKey(alg: "ES256" | "RS256", withAlg: boolean): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: crypto.randomUUID() };
  if (withAlg) jwk.alg = alg;
  return { privateKey, jwk };
}

async function serveKeys(keys: JWK[]) {
  await fetch(`${supabaseUrl}/__control/keys`, { method: "POST", body: JSON.stringify({ keys }) });
}

async function jwksFetches(): Promise<number> {
  const stats = (await (await fetch(`${supabaseUrl}/__control/stats`)).json()) as {
    jwksFetches: number;
  };
  return stats.jwksFetches;
}

/** Empties both cache layers, as a cold start on a new colo would. */
async function coldCache() {
  forgetIsolateJwks();
  await env.KILN_KV.delete(`auth:jwks:${jwksUrl(env)}`);
}

type Claims = { aud?: string | null; exp?: number; nbf?: number; iat?: number; sub?: string };

function claimsBuilder(claims: Claims) {
  const now = Math.floor(Date.now() / 1000);
  const sub = claims.sub ?? "6a3c0f0e-1b7a-4c1e-9d0e-3f2b5a6c7d8e";
  const token = new SignJWT({ role: "authenticated", email: `keys-${sub}@example.com` })
    .setIssuer(issuer)
    .setSubject(sub)
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + 600);
  if (claims.aud !== null) token.setAudience(claims.aud ?? "authenticated");
  if (claims.nbf !== undefined) token.setNotBefore(claims.nbf);
  return token;
}

function signWith(key: Signer, alg: "ES256" | "RS256", claims: Claims = {}) {
  return claimsBuilder(claims)
    .setProtectedHeader({ alg, kid: key.jwk.kid ?? "", typ: "JWT" })
    .sign(key.privateKey);
}

function signHs256(claims: Claims = {}, options: { kid?: string; secret?: Uint8Array } = {}) {
  return claimsBuilder(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT", ...(options.kid ? { kid: options.kid } : {}) })
    .sign(options.secret ?? new TextEncoder().encode(DEV_SECRET));
}

async function status(token: string): Promise<number> {
  const response = await api("/api/me", { token });
  if (response.status !== 200) expect((await readError(response)).code).toBe("unauthorized");
  else await response.body?.cancel();
  return response.status;
}

function base64url(value: string | Uint8Array): string {
  const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
  return btoa(String.fromCharCode(...bytes))
    .replace(/=+$/, "")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

beforeAll(async () => {
  ecKey = await makeKey("ES256", false);
  rsaKey = await makeKey("RS256", true);
  rotatedKey = await makeKey("ES256", true);
});

beforeEach(async () => {
  await serveKeys([ecKey.jwk, rsaKey.jwk]);
  await coldCache();
});

describe("A1: the token does not choose its own algorithm", () => {
  it("accepts a genuine ES256 token (JWKS key without alg) and a genuine HS256 token", async () => {
    expect(await status(await signWith(ecKey, "ES256"))).toBe(200);
    expect(await status(await signWith(rsaKey, "RS256"))).toBe(200);
    expect(await status(await signHs256())).toBe(200);
  });

  it("refuses HS256 with the JWKS key's kid, HMAC-signed with the public key", async () => {
    const publicBytes = new TextEncoder().encode(JSON.stringify(ecKey.jwk));
    const forged = await signHs256({}, { kid: ecKey.jwk.kid ?? "", secret: publicBytes });
    expect(await status(forged)).toBe(401);

    const xBytes = Uint8Array.from(
      atob((ecKey.jwk.x ?? "").replace(/-/g, "+").replace(/_/g, "/")),
      (c) => c.charCodeAt(0),
    );
    expect(await status(await signHs256({}, { kid: ecKey.jwk.kid ?? "", secret: xBytes }))).toBe(
      401,
    );
  });

  it("refuses alg none with an empty signature", async () => {
    const now = Math.floor(Date.now() / 1000);
    const header = base64url(JSON.stringify({ alg: "none", kid: ecKey.jwk.kid, typ: "JWT" }));
    const payload = base64url(
      JSON.stringify({
        sub: crypto.randomUUID(),
        role: "authenticated",
        aud: "authenticated",
        iss: issuer,
        iat: now,
        exp: now + 600,
      }),
    );
    expect(await status(`${header}.${payload}.`)).toBe(401);
  });

  it("refuses an RS256-labelled token on the HS256-only path", async () => {
    const secretOnly = { ...env, SUPABASE_URL: undefined };
    const token = await signWith(rsaKey, "RS256");
    await expect(
      verifyAccessToken({ env: secretOnly, token, requestUrl: "https://kiln.test/" }),
    ).rejects.toMatchObject({ status: 401, code: "unauthorized" });
  });

  it("refuses a JWKS key used with an algorithm other than the one it names", async () => {
    // The RSA key says RS256; a token claiming PS256 (not on the list) or ES256 must fail.
    const token = await claimsBuilder({})
      .setProtectedHeader({ alg: "PS256", kid: rsaKey.jwk.kid ?? "" })
      .sign(rsaKey.privateKey)
      .catch(() => "unsignable");
    expect(await status(token === "unsignable" ? "x.y.z" : token)).toBe(401);
  });
});

describe("A2: audience", () => {
  it.each([
    ["authenticated", "authenticated", 200],
    ["other-service", "other-service", 401],
    ["no aud", null, 401],
  ] as const)("aud %s → %s", async (_, aud, expected) => {
    expect(await status(await signWith(ecKey, "ES256", { aud }))).toBe(expected);
  });
});

describe("one clock leeway for exp, nbf and iat", () => {
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ["expired 10 s ago (inside the leeway)", () => ({ exp: now() - 10 }), 200],
    ["expired 5 min ago", () => ({ exp: now() - 300, iat: now() - 4000 }), 401],
    ["not before 10 s from now", () => ({ nbf: now() + 10 }), 200],
    ["not before 5 min from now", () => ({ nbf: now() + 300 }), 401],
    ["issued 10 s in the future", () => ({ iat: now() + 10 }), 200],
    ["issued 5 min in the future", () => ({ iat: now() + 300, exp: now() + 900 }), 401],
  ] as const)("%s", async (_, claims, expected) => {
    expect(await status(await signWith(ecKey, "ES256", claims()))).toBe(expected);
  });

  it("says the session expired for an expired token", async () => {
    const response = await api("/api/me", {
      token: await signWith(ecKey, "ES256", { exp: now() - 300, iat: now() - 4000 }),
    });
    expect((await readError(response)).message).toMatch(/expired/);
  });
});

describe("A3: signing-key rotation and the JWKS cache", () => {
  function cacheAt(clock: { ms: number }, tag: string) {
    return new JwksCache({
      url: `${jwksUrl(env)}?case=${tag}`,
      kv: env.KILN_KV,
      now: () => clock.ms,
    });
  }

  it("refetches once for a token signed by a key the cache does not hold yet", async () => {
    const clock = { ms: Date.now() };
    await serveKeys([ecKey.jwk]);
    const cache = cacheAt(clock, "rotation");
    expect(await cache.findKey(ecKey.jwk.kid ?? "")).toBeDefined();

    await serveKeys([ecKey.jwk, rotatedKey.jwk]);
    clock.ms += 2 * 60 * 1000;
    const before = await jwksFetches();
    expect(await cache.findKey(rotatedKey.jwk.kid ?? "")).toMatchObject({
      kid: rotatedKey.jwk.kid,
    });
    expect(await jwksFetches()).toBe(before + 1);
  });

  it("100 random kids cause at most one fetch per cooldown", async () => {
    const clock = { ms: Date.now() };
    const cache = cacheAt(clock, "random-kids");
    await cache.findKey(ecKey.jwk.kid ?? "");
    clock.ms += JWKS_REFETCH_COOLDOWN_MS;

    const before = await jwksFetches();
    for (let index = 0; index < 100; index += 1) {
      expect(await cache.findKey(crypto.randomUUID())).toBeUndefined();
      clock.ms += 100;
    }
    expect(await jwksFetches()).toBe(before + 1);

    clock.ms += JWKS_REFETCH_COOLDOWN_MS;
    await cache.findKey(crypto.randomUUID());
    expect(await jwksFetches()).toBe(before + 2);
  });

  it("50 concurrent misses on an empty cache share one fetch", async () => {
    const clock = { ms: Date.now() };
    const cache = cacheAt(clock, "concurrent");
    const before = await jwksFetches();
    const keys = await Promise.all(
      Array.from({ length: 50 }, () => cache.findKey(ecKey.jwk.kid ?? "")),
    );
    expect(keys.every((key) => key?.kid === ecKey.jwk.kid)).toBe(true);
    expect(await jwksFetches()).toBe(before + 1);
  });

  it("a new isolate reads the keys from KV instead of fetching", async () => {
    const clock = { ms: Date.now() };
    await cacheAt(clock, "isolates").findKey(ecKey.jwk.kid ?? "");
    forgetIsolateJwks();

    const before = await jwksFetches();
    expect(await cacheAt(clock, "isolates").findKey(ecKey.jwk.kid ?? "")).toBeDefined();
    expect(await jwksFetches()).toBe(before);
  });

  it("through the API: token B gets 200 once the JWKS serves A and B", async () => {
    // The cache was filled with key A five minutes ago (fresh, and past the cooldown).
    const stale = { keys: [ecKey.jwk], fetchedAtMs: Date.now() - 5 * 60 * 1000 };
    await env.KILN_KV.put(`auth:jwks:${jwksUrl(env)}`, JSON.stringify(stale));
    await serveKeys([ecKey.jwk, rotatedKey.jwk]);

    expect(await status(await signWith(rotatedKey, "ES256"))).toBe(200);
    expect(await status(await signWith(ecKey, "ES256"))).toBe(200);
  });
});

describe("A4: mixed algorithms during a key migration", () => {
  it("accepts the same user's HS256 (even with an unlisted kid) and ES256 tokens", async () => {
    const sub = crypto.randomUUID();
    expect(await status(await signHs256({ sub }))).toBe(200);
    expect(await status(await signHs256({ sub }, { kid: crypto.randomUUID() }))).toBe(200);
    expect(await status(await signWith(ecKey, "ES256", { sub }))).toBe(200);
  });

  it("still refuses the A1 forgeries", async () => {
    const publicBytes = new TextEncoder().encode(JSON.stringify(ecKey.jwk));
    expect(
      await status(await signHs256({}, { kid: ecKey.jwk.kid ?? "", secret: publicBytes })),
    ).toBe(401);
    expect(await status(await signHs256({}, { secret: new TextEncoder().encode("guess") }))).toBe(
      401,
    );
  });
});

describe("a verified token, remembered", () => {
  it("is checked again once its expiry has passed, however recently it verified", async () => {
    const now = Date.now();
    const token = await signHs256({ exp: Math.floor(now / 1000) + 5 });
    const verify = () => verifyAccessToken({ env, token, requestUrl: "https://kiln.test/" });
    await expect(verify()).resolves.toMatchObject({ userId: expect.any(String) });

    // Past exp plus the clock leeway, but well within the minute a verified token is remembered.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(now + (5 + CLOCK_LEEWAY_SECONDS + 1) * 1000);
    try {
      await expect(verify()).rejects.toMatchObject({ status: 401, code: "unauthorized" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("is taken as verified for up to a minute without its key, and refused after", async () => {
    const token = await signWith(ecKey, "ES256");
    const verify = () => verifyAccessToken({ env, token, requestUrl: "https://kiln.test/" });
    await expect(verify()).resolves.toMatchObject({ userId: expect.any(String) });

    // The key leaves the JWKS and every cache of it: the signature can no longer be checked.
    await serveKeys([rotatedKey.jwk]);
    await coldCache();
    await expect(verify()).resolves.toMatchObject({ userId: expect.any(String) });

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + VERIFIED_TTL_MS + 1_000);
    try {
      await expect(verify()).rejects.toMatchObject({ status: 401, code: "unauthorized" });
    } finally {
      vi.useRealTimers();
    }
  });
});
