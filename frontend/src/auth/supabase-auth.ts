/**
 * Sign-in through a Supabase project with `@supabase/supabase-js`, used when
 * `/api/config` names one. supabase-js keeps the session in localStorage and
 * refreshes the access token before it expires; every change it reports is
 * copied into Kiln's session store, which the API client reads. Ending
 * Kiln's session (sign-out, or a 401) signs supabase-js out too. supabase-js
 * is loaded only when a project is configured, so it is not initial JavaScript.
 */
import type { Session, SupabaseClient } from "@supabase/supabase-js";
import type { ClientConfig } from "../../../contract/api.ts";
import {
  endSession,
  getSessionState,
  onSessionEnded,
  SESSION_ENDED_NOTICE,
  startExternalSession,
} from "./session-store.ts";

type SupabaseSettings = NonNullable<ClientConfig["supabase"]>;

let client: Promise<SupabaseClient> | null = null;

export function supabaseFor(settings: SupabaseSettings): Promise<SupabaseClient> {
  // A failed load (offline) is tried again next time.
  client ??= startClient(settings).catch((error: unknown) => {
    client = null;
    throw error;
  });
  return client;
}

async function startClient(settings: SupabaseSettings): Promise<SupabaseClient> {
  const { createClient } = await import("@supabase/supabase-js");
  const created = createClient(settings.url, settings.anonKey, {
    auth: { persistSession: true, autoRefreshToken: true, detectSessionInUrl: true },
  });

  created.auth.onAuthStateChange((event, session) => {
    if (session && event !== "SIGNED_OUT") copySession(session);
    // Signed out elsewhere (another tab, a failed refresh): say so, unless Kiln ended it.
    else if (event === "SIGNED_OUT" && getSessionState().session) endSession(SESSION_ENDED_NOTICE);
  });
  onSessionEnded(() => {
    void created.auth.signOut({ scope: "local" });
  });
  return created;
}

function copySession(session: Session) {
  startExternalSession({
    accessToken: session.access_token,
    expiresAtSeconds: session.expires_at ?? Math.floor(Date.now() / 1000) + session.expires_in,
    user: { id: session.user.id, email: session.user.email ?? "" },
  });
}

/** OAuth providers the project enables, read from GoTrue's public settings. */
export async function enabledOAuthProviders(settings: SupabaseSettings): Promise<string[]> {
  try {
    const response = await fetch(`${settings.url.replace(/\/+$/, "")}/auth/v1/settings`, {
      headers: { apikey: settings.anonKey },
    });
    if (!response.ok) return [];
    const body = (await response.json()) as { external?: Record<string, boolean> };
    return Object.entries(body.external ?? {})
      .filter(([name, enabled]) => enabled && name !== "email" && name !== "phone")
      .map(([name]) => name);
  } catch {
    return [];
  }
}
