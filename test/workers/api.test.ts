/**
 * The Worker's public contract, sent as real requests through workerd:
 * health, development sign-in, authentication and the error shape.
 */
import { env, SELF } from "cloudflare:test";
import { decodeJwt, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { api, BASE, readError, signIn } from "./helpers.ts";

describe("health", () => {
  it("names the version and the state of each dependency", async () => {
    const response = await api("/api/health");

    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const body = await response.json();
    expect(body).toMatchObject({
      status: "ok",
      version: "0.1.0",
      dependencies: {
        database: { status: "ok" },
        provider: { status: "ok", name: "simulator", simulated: true },
        sandbox: { mode: "e2b", detail: "E2B simulator" },
      },
    });
  });

  it("keeps a well-formed incoming request id", async () => {
    const response = await api("/api/health", { headers: { "x-request-id": "trace-abc-123456" } });
    expect(response.headers.get("x-request-id")).toBe("trace-abc-123456");
  });
});

describe("development sign-in", () => {
  it("issues a token shaped like a Supabase access token, and a personal team", async () => {
    const session = await signIn("Grace@Example.com");

    const claims = decodeJwt(session.access_token);
    expect(claims).toMatchObject({
      sub: session.user.id,
      role: "authenticated",
      aud: "authenticated",
      email: "grace@example.com",
    });
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
    expect(claims.iss).toMatch(/\/auth\/v1$/);
    expect(session.team_id).toBe(session.team.id);
  });

  it("finds the same person and team on the next sign-in", async () => {
    const first = await signIn("repeat@example.com");
    const second = await signIn("repeat@example.com");
    expect(second.user.id).toBe(first.user.id);
    expect(second.team_id).toBe(first.team_id);
  });

  it("refuses a malformed email with the documented error shape", async () => {
    const response = await api("/api/dev/sign-in", { body: { email: "not-an-email" } });
    expect(response.status).toBe(400);
    const error = await readError(response);
    expect(error.code).toBe("invalid_body");
    expect(error.message).toContain("email");
    expect(error.hint).toBeTruthy();
  });

  it("refuses a NUL character, which Postgres cannot store, with invalid_body", async () => {
    const { access_token: token } = await signIn();
    const inMessage = await api("/api/chat", { token, body: { message: "hi\u0000there" } });
    expect(inMessage.status).toBe(400);
    expect((await readError(inMessage)).message).toMatch(/message: contains a NUL/);

    const inFile = await api("/api/chat", {
      token,
      body: { message: "what is this?", attachments: [{ path: "a.bin", content: "\u0000\u0001" }] },
    });
    expect(inFile.status).toBe(400);
    expect((await readError(inFile)).message).toMatch(/attachments\.0\.content: contains a NUL/);
  });

  it("answers broken JSON with invalid_json, not a stack trace", async () => {
    const response = await api("/api/dev/sign-in", { body: "{nope" });
    expect(response.status).toBe(400);
    expect((await readError(response)).code).toBe("invalid_json");
  });

  it("tells a conversation still on the write queue from one that does not exist", async () => {
    const owner = await signIn();
    const stranger = await signIn();
    // What POST /api/chat leaves for a new conversation until its rows land.
    const id = crypto.randomUUID();
    await env.KILN_KV.put(`recent-conversation:${owner.team_id}:${id}`, "1");

    const pending = await api(`/api/conversations/${id}`, { token: owner.access_token });
    expect(pending.status).toBe(404);
    expect((await readError(pending)).code).toBe("conversation_pending");

    // Another team never learns that it exists.
    const other = await api(`/api/conversations/${id}`, { token: stranger.access_token });
    expect((await readError(other)).code).toBe("conversation_not_found");
    const unknown = await api(`/api/conversations/${crypto.randomUUID()}`, {
      token: owner.access_token,
    });
    expect((await readError(unknown)).code).toBe("conversation_not_found");
  });

  it("refuses a selection whose end line comes before its start", async () => {
    const session = await signIn();
    const response = await api("/api/context", {
      token: session.access_token,
      body: { path: "src/App.tsx", content: "const a = 1;", startLine: 9, endLine: 3 },
    });
    expect(response.status).toBe(400);
    const error = await readError(response);
    expect(error.code).toBe("invalid_body");
    expect(error.message).toBe("Invalid endLine: endLine must not come before startLine.");

    const ordered = await api("/api/context", {
      token: session.access_token,
      body: { path: "src/App.tsx", content: "const a = 1;", startLine: 3, endLine: 3 },
    });
    expect(ordered.status).toBe(201);
  });

  it("answers a body that is not declared JSON with 415 and what to send", async () => {
    const session = await signIn();
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", ""]) {
      const response = await SELF.fetch(`${BASE}/api/chat`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${session.access_token}`,
          ...(contentType ? { "content-type": contentType } : {}),
        },
        body: JSON.stringify({ message: "a counter" }),
      });
      expect(response.status).toBe(415);
      const error = await readError(response);
      expect(error.code).toBe("unsupported_media_type");
      expect(error.hint).toContain("application/json");
    }
    const charset = await SELF.fetch(`${BASE}/api/dev/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ email: "charset@example.com" }),
    });
    expect(charset.status).toBe(200);
  });
});

describe("authentication", () => {
  it("refuses a call without a token", async () => {
    const response = await api("/api/me");
    expect(response.status).toBe(401);
    expect((await readError(response)).code).toBe("unauthorized");
  });

  it("accepts its own token and says who is calling", async () => {
    const session = await signIn();
    const response = await api("/api/me", { token: session.access_token });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      user: { id: session.user.id },
      teams: [{ id: session.team_id, role: "owner" }],
    });
  });

  it.each([
    ["garbage", async () => "not.a.token"],
    ["another secret", async () => sign({ secret: "some-other-secret" })],
    ["wrong audience", async () => sign({ audience: "other-service" })],
    ["expired", async () => sign({ expiresAt: Math.floor(Date.now() / 1000) - 3600 })],
    ["alg none", async () => unsigned()],
  ])("refuses a token that is %s", async (_, makeToken) => {
    const session = await signIn();
    const valid = decodeJwt(session.access_token);
    const token = await makeToken();
    const response = await api("/api/me", { token: token.replace("{sub}", String(valid.sub)) });
    expect(response.status).toBe(401);
    expect((await readError(response)).code).toBe("unauthorized");
  });

  it("refuses a correctly signed token whose sub is not a user id", async () => {
    const response = await api("/api/me", { token: await supabaseToken("x@example.com", "42") });
    expect(response.status).toBe(401);
    expect((await readError(response)).code).toBe("unauthorized");
  });

  it("lets in people who share an email or have none (phone and anonymous users)", async () => {
    const shared = `shared-${crypto.randomUUID()}@example.com`;
    for (const email of [shared, shared, "", ""]) {
      const token = await supabaseToken(email, crypto.randomUUID());
      const response = await api("/api/me", { token });
      expect(response.status).toBe(200);
    }
  });

  it("answers an unknown API route with not_found", async () => {
    const session = await signIn();
    const response = await api("/api/nothing-here", { token: session.access_token });
    expect(response.status).toBe(404);
    expect((await readError(response)).code).toBe("not_found");
  });
});

/** A token shaped like Supabase's, for a person Kiln has never seen. */
async function supabaseToken(email: string, subject: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: "authenticated", email })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(subject)
    .setIssuer(`${env.SUPABASE_URL}/auth/v1`)
    .setAudience("authenticated")
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode("kiln-local-development-secret-never-valid-in-production"));
}

async function sign(options: { secret?: string; audience?: string; expiresAt?: number }) {
  const secret = new TextEncoder().encode(
    options.secret ?? "kiln-local-development-secret-never-valid-in-production",
  );
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: "authenticated", email: "x@example.com" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("00000000-0000-4000-8000-000000000000")
    .setIssuer("https://kiln.test/auth/v1")
    .setAudience(options.audience ?? "authenticated")
    .setIssuedAt(now - 7200)
    .setExpirationTime(options.expiresAt ?? now + 3600)
    .sign(secret);
}

function unsigned() {
  const encode = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "");
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: "none", typ: "JWT" })}.${encode({
    sub: "{sub}",
    role: "authenticated",
    aud: "authenticated",
    iss: "https://kiln.test/auth/v1",
    exp: now + 3600,
  })}.`;
}
