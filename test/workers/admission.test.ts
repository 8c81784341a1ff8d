/**
 * Go-live stages through the real Worker: an operator switches sign-up
 * between allow-list, waitlist and open in KV, without a deploy, and a person
 * who is not admitted yet gets a clear error and no team. People who already
 * have a team are never locked out.
 */
import { env } from "cloudflare:test";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { api, readError, signIn } from "./helpers.ts";

let counter = 0;
const unique = (local: string, domain: string) => `${local}-${Date.now()}-${++counter}@${domain}`;

async function operatorToken(): Promise<string> {
  return (await signIn("ops@example.com")).access_token;
}

async function setPolicy(body: unknown) {
  const response = await api("/api/ops/admission", {
    method: "PUT",
    token: await operatorToken(),
    body,
  });
  expect(response.status).toBe(200);
  return response.json();
}

function attemptSignIn(email: string) {
  return api("/api/dev/sign-in", { body: { email } });
}

/** A token shaped like Supabase's for a person Kiln has never seen (the hosted sign-up path). */
async function supabaseToken(email: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return (
    new SignJWT({ role: "authenticated", email, app_metadata: { provider: "email" } })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(crypto.randomUUID())
      // The workers tests configure SUPABASE_URL (the Supabase Auth simulator): its issuer.
      .setIssuer(`${env.SUPABASE_URL}/auth/v1`)
      .setAudience("authenticated")
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode("kiln-local-development-secret-never-valid-in-production"))
  );
}

describe("go-live stages", () => {
  it("is open when no stage is set, as local development needs", async () => {
    const response = await api("/api/ops/admission", { token: await operatorToken() });
    expect(await response.json()).toEqual({ policy: { mode: "open", allow: [] } });
    expect((await attemptSignIn(unique("anyone", "example.org"))).status).toBe(200);
  });

  it("on the allow-list stage admits listed emails and domains only", async () => {
    const existing = await signIn(unique("early", "example.org"));
    const vip = unique("vip", "example.org");
    await setPolicy({ mode: "allow_list", allow: ["@acme.test", vip.toUpperCase()] });

    const refused = await attemptSignIn(unique("stranger", "example.org"));
    expect(refused.status).toBe(403);
    const error = await readError(refused);
    expect(error.code).toBe("not_admitted");
    expect(error.hint).toMatch(/allow-list/);

    expect((await attemptSignIn(unique("colleague", "acme.test"))).status).toBe(200);
    expect((await attemptSignIn(vip)).status).toBe(200);
    expect((await attemptSignIn(existing.user.email)).status).toBe(200);
    expect((await api("/api/me", { token: existing.access_token })).status).toBe(200);
  });

  it("gates a hosted sign-up on its first call, creating no team", async () => {
    await setPolicy({ mode: "allow_list", allow: [] });
    const token = await supabaseToken(unique("hosted", "example.org"));

    for (const path of ["/api/me", "/api/conversations"]) {
      const response = await api(path, { token });
      expect(response.status, path).toBe(403);
      expect((await readError(response)).code, path).toBe("not_admitted");
    }
  });

  it("on the waitlist stage records who asked, and lets them in once admitted", async () => {
    await setPolicy({ mode: "waitlist", allow: [] });
    const email = unique("waiting", "example.org");

    const waiting = await attemptSignIn(email);
    expect(waiting.status).toBe(403);
    const error = await readError(waiting);
    expect(error.code).toBe("waitlisted");
    expect(error.message).toContain(email);
    expect((await attemptSignIn(email)).status).toBe(403);

    const operator = await operatorToken();
    const list = await api("/api/ops/admission/waitlist", { token: operator });
    const { waitlist } = (await list.json()) as { waitlist: Array<{ email: string }> };
    expect(waitlist.filter((entry) => entry.email === email)).toHaveLength(1);

    const admitted = await api("/api/ops/admission/admit", {
      token: operator,
      body: { emails: [email] },
    });
    expect(admitted.status).toBe(200);
    expect((await attemptSignIn(email)).status).toBe(200);

    const after = await api("/api/ops/admission/waitlist", { token: operator });
    const remaining = ((await after.json()) as { waitlist: Array<{ email: string }> }).waitlist;
    expect(remaining.map((entry) => entry.email)).not.toContain(email);
  });

  it("opens for everyone when switched to open", async () => {
    await setPolicy({ mode: "allow_list", allow: [] });
    await setPolicy({ mode: "open", allow: [] });
    expect((await attemptSignIn(unique("late", "example.org"))).status).toBe(200);
  });

  it("takes the stage from KV, as `wrangler kv key put` would write it", async () => {
    await env.KILN_KV.put("admission:policy", JSON.stringify({ mode: "allow_list", allow: [] }));
    expect((await attemptSignIn(unique("direct", "example.org"))).status).toBe(403);
    await env.KILN_KV.put("admission:policy", JSON.stringify({ mode: "open", allow: [] }));
  });

  it("lets only platform operators see or change the stage", async () => {
    const person = await signIn(unique("curious", "example.org"));
    for (const [method, body] of [
      ["GET", undefined],
      ["PUT", { mode: "open", allow: [] }],
    ] as const) {
      const response = await api("/api/ops/admission", {
        method,
        token: person.access_token,
        body,
      });
      expect(response.status).toBe(403);
      expect((await readError(response)).code).toBe("forbidden");
    }
  });

  it("refuses a malformed policy with the documented error", async () => {
    const response = await api("/api/ops/admission", {
      method: "PUT",
      token: await operatorToken(),
      body: { mode: "closed", allow: ["not-an-email"] },
    });
    expect(response.status).toBe(400);
    expect((await readError(response)).code).toBe("invalid_body");
  });
});
