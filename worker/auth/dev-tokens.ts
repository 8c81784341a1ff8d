/**
 * Development sign-in: issues tokens shaped like Supabase's access tokens,
 * signed HS256 with the local secret. The route that calls this exists only
 * in development.
 */
import { SignJWT } from "jose";
import { platformOperatorEmails, tokenIssuer } from "../config.ts";
import type { Env } from "../env.ts";
import { hs256Secret } from "./keys.ts";
import { PLATFORM_OPERATOR_ROLE } from "./verify.ts";

export const DEV_TOKEN_LIFETIME_SECONDS = 60 * 60;

export async function issueDevAccessToken(options: {
  env: Env;
  requestUrl: string;
  userId: string;
  email: string;
}): Promise<{ token: string; expiresAt: number }> {
  const secret = hs256Secret(options.env);
  if (!secret) throw new Error("development sign-in used without a signing secret");

  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAt = issuedAt + DEV_TOKEN_LIFETIME_SECONDS;
  const operator = platformOperatorEmails(options.env).includes(options.email);
  const token = await new SignJWT({
    email: options.email,
    phone: "",
    role: "authenticated",
    aal: "aal1",
    amr: [{ method: "password", timestamp: issuedAt }],
    session_id: crypto.randomUUID(),
    is_anonymous: false,
    app_metadata: {
      provider: "email",
      providers: ["email"],
      ...(operator ? { kiln_role: PLATFORM_OPERATOR_ROLE } : {}),
    },
    user_metadata: {},
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(tokenIssuer(options.env, options.requestUrl))
    .setAudience("authenticated")
    .setSubject(options.userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(secret);

  return { token, expiresAt };
}

/** A stable user id per email (a name-based UUID), so signing in again finds the same user. */
export async function devUserId(email: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`kiln-dev:${email}`)),
  );
  const bytes = digest.slice(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
