/**
 * Every API route, called with no token, an expired token, a token for
 * another team, and as each role of a team. The expected statuses are
 * written here, by hand, not read from worker/routes/access.ts: a wrong
 * grant in that table fails this test.
 */
import { env } from "cloudflare:test";
import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { DevSignInResponse } from "../../contract/api.ts";
import { createApp } from "../../worker/app.ts";
import { api, signIn, waitForMessages } from "./helpers.ts";

type Caller =
  | "none"
  | "expired"
  | "otherTeam"
  | "owner"
  | "admin"
  | "member"
  | "viewer"
  | "operator";
type Fixture = {
  people: Record<
    "owner" | "admin" | "member" | "viewer" | "stranger" | "operator",
    DevSignInResponse
  >;
  teamId: string;
  conversationId: string;
  expiredToken: string;
};

type Expectation = {
  route: string;
  path: (fixture: Fixture) => string;
  body?: (caller: Caller) => unknown;
  headers?: Record<string, string>;
  expect: Record<Caller, number>;
};

const anyone = (status: number) => ({
  none: status,
  expired: status,
  otherTeam: status,
  owner: status,
  admin: status,
  member: status,
  viewer: status,
  operator: status,
});
const signedIn = (status: number) => ({ ...anyone(status), none: 401, expired: 401 });
const roles = (allowed: number, granted: Caller[]) => ({
  none: 401,
  expired: 401,
  otherTeam: 403,
  owner: granted.includes("owner") ? allowed : 403,
  admin: granted.includes("admin") ? allowed : 403,
  member: granted.includes("member") ? allowed : 403,
  viewer: granted.includes("viewer") ? allowed : 403,
  // A platform operator who is not in the team gets nothing of it.
  operator: 403,
});
/** Kiln's own operators only: every team role is refused. */
const operatorsOnly = (status: number) => ({
  ...roles(status, []),
  operator: status,
});

const everyone: Caller[] = ["owner", "admin", "member", "viewer"];
const spenders: Caller[] = ["owner", "admin", "member"];
const managers: Caller[] = ["owner", "admin"];
const nobody = "00000000-0000-4000-8000-000000000000";

// biome-ignore format: one expectation per line reads as a table.
const expectations: Expectation[] = [
  { route: "GET /api/health", path: () => "/api/health", expect: anyone(200) },
  { route: "GET /api/config", path: () => "/api/config", expect: anyone(200) },
  { route: "POST /api/dev/sign-in", path: () => "/api/dev/sign-in", body: (caller) => ({ email: `again-${caller}@example.com` }), expect: anyone(200) },
  // Development only, like sign-in; an incomplete run is refused before the team object is called.
  { route: "POST /api/dev/bench/admission", path: () => "/api/dev/bench/admission", body: () => ({}), expect: anyone(400) },
  { route: "GET /api/me", path: () => "/api/me", expect: signedIn(200) },
  { route: "POST /api/teams", path: () => "/api/teams", body: () => ({ name: "Side project" }), expect: signedIn(201) },
  // An invitation that does not exist: past authorization, then not found.
  { route: "POST /api/invitations/:id/accept", path: () => `/api/invitations/${nobody}/accept`, expect: signedIn(404) },
  { route: "GET /api/conversations", path: () => "/api/conversations", expect: roles(200, everyone) },
  { route: "GET /api/conversations/:id", path: (f) => `/api/conversations/${f.conversationId}`, expect: roles(200, everyone) },
  { route: "POST /api/chat", path: () => "/api/chat", body: () => ({ message: "a counter" }), expect: roles(200, spenders) },
  { route: "POST /api/chat/stop", path: () => "/api/chat/stop", headers: { "idempotency-key": "no-such-answer-1" }, expect: roles(200, spenders) },
  { route: "POST /api/context", path: () => "/api/context", body: () => ({ path: "a.ts", content: "x" }), expect: roles(201, spenders) },
  { route: "GET /api/team/members", path: () => "/api/team/members", expect: roles(200, everyone) },
  { route: "POST /api/team/invitations", path: () => "/api/team/invitations", body: (caller) => ({ email: `invitee-${caller}-${crypto.randomUUID()}@example.com`, role: "member" }), expect: roles(201, managers) },
  { route: "DELETE /api/team/invitations/:id", path: () => `/api/team/invitations/${nobody}`, expect: roles(404, managers) },
  { route: "PATCH /api/team/members/:userId", path: () => `/api/team/members/${nobody}`, body: () => ({ role: "viewer" }), expect: roles(404, managers) },
  { route: "DELETE /api/team/members/:userId", path: () => `/api/team/members/${nobody}`, expect: roles(404, managers) },
  // Sandboxes: an empty body or an unknown sandbox, past authorization.
  { route: "POST /api/sandbox", path: () => "/api/sandbox", body: () => ({}), expect: roles(400, spenders) },
  { route: "GET /api/sandbox/:id", path: () => `/api/sandbox/${nobody}`, expect: roles(404, everyone) },
  { route: "GET /api/sandbox/:id/logs", path: () => `/api/sandbox/${nobody}/logs`, expect: roles(404, everyone) },
  { route: "GET /api/sandbox/:id/logs/stream", path: () => `/api/sandbox/${nobody}/logs/stream`, expect: roles(404, everyone) },
  { route: "POST /api/sandbox/:id/keep-alive", path: () => `/api/sandbox/${nobody}/keep-alive`, expect: roles(404, spenders) },
  { route: "POST /api/sandbox/:id/stop", path: () => `/api/sandbox/${nobody}/stop`, expect: roles(404, spenders) },
  { route: "POST /api/sandbox/:id/recreate", path: () => `/api/sandbox/${nobody}/recreate`, expect: roles(404, spenders) },
  // Operators: reads answer, writes with an empty body are refused as invalid.
  { route: "GET /api/sandbox/settings", path: () => "/api/sandbox/settings", expect: operatorsOnly(200) },
  { route: "PUT /api/sandbox/settings", path: () => "/api/sandbox/settings", body: () => "nope", expect: operatorsOnly(400) },
  { route: "GET /api/ops/routing", path: () => "/api/ops/routing", expect: operatorsOnly(200) },
  { route: "PUT /api/ops/routing", path: () => "/api/ops/routing", body: () => "nope", expect: operatorsOnly(400) },
  { route: "GET /api/ops/breakers", path: () => `/api/ops/breakers?teamId=${nobody}`, expect: operatorsOnly(200) },
  { route: "GET /api/ops/admission", path: () => "/api/ops/admission", expect: operatorsOnly(200) },
  { route: "PUT /api/ops/admission", path: () => "/api/ops/admission", body: () => "nope", expect: operatorsOnly(400) },
  { route: "GET /api/ops/admission/waitlist", path: () => "/api/ops/admission/waitlist", expect: operatorsOnly(200) },
  { route: "POST /api/ops/admission/admit", path: () => "/api/ops/admission/admit", body: () => "nope", expect: operatorsOnly(400) },
  // Usage and limits: every role reads (members their own rows), owners and admins change.
  { route: "GET /api/usage", path: () => "/api/usage", expect: roles(200, everyone) },
  { route: "GET /api/usage.csv", path: () => "/api/usage.csv", expect: roles(200, everyone) },
  { route: "GET /api/limits/estimate", path: () => "/api/limits/estimate", expect: roles(200, everyone) },
  { route: "PUT /api/limits", path: () => "/api/limits", body: () => "nope", expect: roles(400, managers) },
  { route: "PUT /api/limits/webhook", path: () => "/api/limits/webhook", body: () => "nope", expect: roles(400, managers) },
  { route: "GET /api/ops/prices", path: () => "/api/ops/prices", expect: operatorsOnly(200) },
  { route: "PUT /api/ops/prices", path: () => "/api/ops/prices", body: () => "nope", expect: operatorsOnly(400) },
  { route: "PUT /api/ops/teams/:teamId/plan", path: (f) => `/api/ops/teams/${f.teamId}/plan`, body: () => "nope", expect: operatorsOnly(400) },
  { route: "GET /api/metrics", path: () => "/api/metrics", expect: roles(200, everyone) },
  { route: "GET /api/ops/observability", path: () => "/api/ops/observability", expect: operatorsOnly(200) },
  { route: "GET /api/ops/switches", path: () => "/api/ops/switches", expect: operatorsOnly(200) },
  { route: "PUT /api/ops/switches", path: () => "/api/ops/switches", body: () => "nope", expect: operatorsOnly(400) },
];

let fixture: Fixture;

async function joinTeam(owner: DevSignInResponse, role: string): Promise<DevSignInResponse> {
  const person = await signIn();
  const invited = await api("/api/team/invitations", {
    token: owner.access_token,
    headers: { "x-team-id": owner.team_id },
    body: { email: person.user.email, role },
  });
  const { invitation } = (await invited.json()) as { invitation: { id: string } };
  const accepted = await api(`/api/invitations/${invitation.id}/accept`, {
    token: person.access_token,
    method: "POST",
  });
  expect(accepted.status).toBe(200);
  return person;
}

beforeAll(async () => {
  const owner = await signIn();
  const people = {
    owner,
    admin: await joinTeam(owner, "admin"),
    member: await joinTeam(owner, "member"),
    viewer: await joinTeam(owner, "viewer"),
    stranger: await signIn(),
    operator: await signIn("ops@example.com"),
  };

  const chat = await api("/api/chat", {
    token: owner.access_token,
    headers: { "x-team-id": owner.team_id },
    body: { message: "a to-do list" },
  });
  const conversationId = chat.headers.get("x-conversation-id") ?? "";
  await chat.text();
  await waitForMessages({ token: owner.access_token, conversationId, count: 2 });

  const now = Math.floor(Date.now() / 1000);
  const expiredToken = await new SignJWT({ role: "authenticated", email: owner.user.email })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(`${env.SUPABASE_URL}/auth/v1`)
    .setAudience("authenticated")
    .setSubject(owner.user.id)
    .setIssuedAt(now - 7200)
    .setExpirationTime(now - 3600)
    .sign(new TextEncoder().encode("kiln-local-development-secret-never-valid-in-production"));

  fixture = { people, teamId: owner.team_id, conversationId, expiredToken };
}, 60_000);

function tokenFor(caller: Caller): string | undefined {
  if (caller === "none") return undefined;
  if (caller === "expired") return fixture.expiredToken;
  if (caller === "otherTeam") return fixture.people.stranger.access_token;
  return fixture.people[caller].access_token;
}

const callers: Caller[] = [
  "none",
  "expired",
  "otherTeam",
  "owner",
  "admin",
  "member",
  "viewer",
  "operator",
];

describe.each(expectations)("$route", (expectation) => {
  it.each(callers)("as %s", async (caller) => {
    const [method] = expectation.route.split(" ");
    const response = await api(expectation.path(fixture), {
      token: tokenFor(caller),
      method,
      headers: { "x-team-id": fixture.teamId, ...expectation.headers },
      ...(expectation.body ? { body: expectation.body(caller) } : {}),
    });
    await response.text();
    expect(response.status).toBe(expectation.expect[caller]);
  });
});

describe("the table covers the app", () => {
  it("has an expectation for every route the Worker serves", () => {
    const served = createApp()
      .routes.filter((route) => route.method !== "ALL")
      .map((route) => `${route.method} ${route.path}`);
    const expected = expectations.map((expectation) => expectation.route);
    expect([...new Set(served)].sort()).toEqual([...expected].sort());
  });
});

describe("another team's data", () => {
  it("stays hidden when no X-Team-Id is sent: the stranger acts for their own team", async () => {
    const read = await api(`/api/conversations/${fixture.conversationId}`, {
      token: fixture.people.stranger.access_token,
    });
    expect(read.status).toBe(404);

    const write = await api("/api/chat", {
      token: fixture.people.stranger.access_token,
      body: { message: "hijack", conversationId: fixture.conversationId },
    });
    expect(write.status).toBe(404);
  });

  it("answers a malformed X-Team-Id with 400 and what to send, not a membership refusal", async () => {
    for (const teamId of ["not-a-uuid", "' or 1=1 --", `${fixture.teamId}x`]) {
      const response = await api("/api/conversations", {
        token: fixture.people.owner.access_token,
        headers: { "x-team-id": teamId },
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; hint: string } };
      expect(body.error.code).toBe("invalid_team_id");
      expect(body.error.hint).toContain("GET /api/me");
    }
  });
});
