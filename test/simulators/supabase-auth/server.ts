/**
 * A local stand-in for a Supabase project's Auth (GoTrue) server, speaking
 * the endpoints `@supabase/supabase-js` 2.109.0 calls and the JWKS the
 * Worker verifies against (see /work/shared/protocols/supabase.md):
 *
 * - `GET  /auth/v1/.well-known/jwks.json`, counted, so tests can see fetches;
 * - `POST /auth/v1/token?grant_type=password|refresh_token`, `POST /auth/v1/signup`,
 *   `POST /auth/v1/otp` (magic link), `GET /auth/v1/user`, `POST /auth/v1/logout`,
 *   `GET /auth/v1/settings`;
 * - control routes for tests under `/__control/`: replace the served keys,
 *   read the fetch count, set the token lifetime.
 *
 * Access tokens are ES256, signed with the simulator's own key and `kid`,
 * with the claims Supabase puts in them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

export type SupabaseAuthSimulator = {
  url: string;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
  close(): Promise<void>;
};

type User = { id: string; email: string; password: string; appMetadata: Record<string, unknown> };

export async function startSupabaseAuthSimulator(
  options: { port?: number; operators?: string[] } = {},
): Promise<SupabaseAuthSimulator> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = crypto.randomUUID();
  const ownKey: JWK = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" };
  const state = {
    keys: [ownKey] as JWK[],
    fetches: 0,
    lifetimeSeconds: 3600,
    users: new Map<string, User>(),
    refreshTokens: new Map<string, string>(),
  };
  let url = "";

  const issue = async (user: User) => {
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT({
      email: user.email,
      phone: "",
      role: "authenticated",
      aal: "aal1",
      amr: [{ method: "password", timestamp: now }],
      session_id: crypto.randomUUID(),
      is_anonymous: false,
      app_metadata: { provider: "email", providers: ["email"], ...user.appMetadata },
      user_metadata: {},
    })
      .setProtectedHeader({ alg: "ES256", kid, typ: "JWT" })
      .setIssuer(`${url}/auth/v1`)
      .setAudience("authenticated")
      .setSubject(user.id)
      .setIssuedAt(now)
      .setExpirationTime(now + state.lifetimeSeconds)
      .sign(privateKey);
    const refreshToken = crypto.randomUUID();
    state.refreshTokens.set(refreshToken, user.email);
    return {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: state.lifetimeSeconds,
      expires_at: now + state.lifetimeSeconds,
      refresh_token: refreshToken,
      user: userView(user),
    };
  };

  const userFor = (email: string, password: string): User => {
    const normalised = email.trim().toLowerCase();
    let user = state.users.get(normalised);
    if (!user) {
      const operator = options.operators?.includes(normalised);
      user = {
        id: crypto.randomUUID(),
        email: normalised,
        password,
        appMetadata: operator ? { kiln_role: "platform_operator" } : {},
      };
      state.users.set(normalised, user);
    }
    return user;
  };

  const server = createServer((request, response) => {
    void route(request, response).catch((error: unknown) =>
      send(response, 500, { error: "server_error", error_description: String(error) }),
    );
  });

  async function route(request: IncomingMessage, response: ServerResponse) {
    const target = new URL(request.url ?? "/", "http://simulator");
    const path = target.pathname;
    if (request.method === "OPTIONS") return send(response, 204, null);

    if (path === "/auth/v1/.well-known/jwks.json") {
      state.fetches += 1;
      return send(response, 200, { keys: state.keys });
    }
    if (path === "/auth/v1/settings") {
      return send(response, 200, {
        external: { email: true, github: false, google: false },
        disable_signup: false,
        mailer_autoconfirm: true,
      });
    }
    if (path === "/auth/v1/token" && request.method === "POST") {
      const body = await readJson(request);
      const grant = target.searchParams.get("grant_type");
      if (grant === "password") {
        const email = String(body.email ?? "");
        const existing = state.users.get(email.trim().toLowerCase());
        if (existing && existing.password !== body.password) {
          return send(response, 400, {
            code: 400,
            error_code: "invalid_credentials",
            msg: "Invalid login credentials",
          });
        }
        return send(response, 200, await issue(userFor(email, String(body.password ?? ""))));
      }
      if (grant === "refresh_token") {
        const email = state.refreshTokens.get(String(body.refresh_token ?? ""));
        const user = email ? state.users.get(email) : undefined;
        if (!user) {
          return send(response, 400, {
            code: 400,
            error_code: "refresh_token_not_found",
            msg: "Invalid Refresh Token: Refresh Token Not Found",
          });
        }
        state.refreshTokens.delete(String(body.refresh_token));
        return send(response, 200, await issue(user));
      }
      return send(response, 400, { code: 400, error_code: "validation_failed", msg: "grant" });
    }
    if (path === "/auth/v1/signup" && request.method === "POST") {
      const body = await readJson(request);
      return send(response, 200, await issue(userFor(String(body.email), String(body.password))));
    }
    if (path === "/auth/v1/otp" && request.method === "POST") {
      // A magic link would be mailed; the simulator only acknowledges it.
      return send(response, 200, {});
    }
    if (path === "/auth/v1/user" && request.method === "GET") {
      const token = (request.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
      const subject = token ? decodeJwt(token).sub : undefined;
      const user = [...state.users.values()].find((candidate) => candidate.id === subject);
      return user ? send(response, 200, userView(user)) : send(response, 401, { msg: "no user" });
    }
    if (path === "/auth/v1/logout" && request.method === "POST") return send(response, 204, null);

    if (path === "/__control/keys" && request.method === "POST") {
      const body = await readJson(request);
      state.keys = Array.isArray(body.keys) ? (body.keys as JWK[]) : [ownKey];
      return send(response, 200, { keys: state.keys.length });
    }
    if (path === "/__control/stats") return send(response, 200, { jwksFetches: state.fetches });
    if (path === "/__control/lifetime" && request.method === "POST") {
      const body = await readJson(request);
      state.lifetimeSeconds = Number(body.seconds) || 3600;
      return send(response, 200, { lifetimeSeconds: state.lifetimeSeconds });
    }
    return send(response, 404, { code: 404, error_code: "not_found", msg: "Not found" });
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  url = `http://127.0.0.1:${port}`;

  return {
    url,
    jwksFetches: () => state.fetches,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function userView(user: User) {
  return {
    id: user.id,
    aud: "authenticated",
    role: "authenticated",
    email: user.email,
    email_confirmed_at: new Date(0).toISOString(),
    app_metadata: { provider: "email", providers: ["email"], ...user.appMetadata },
    user_metadata: {},
    identities: [],
    created_at: new Date(0).toISOString(),
    updated_at: new Date(0).toISOString(),
  };
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function send(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, {
    "content-type": "application/json",
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "*",
    "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
  });
  response.end(body === null ? undefined : JSON.stringify(body));
}
