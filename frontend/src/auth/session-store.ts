import type { DevSignInResponse } from "../../../contract/api.ts";

/**
 * The signed-in person, kept in localStorage so a reload stays signed in.
 * A tiny external store so React reads it with useSyncExternalStore and the
 * API client (outside React) can sign out on a 401.
 */
export type Session = {
  accessToken: string;
  expiresAtMs: number;
  user: { id: string; email: string };
  teamId: string | null;
};

export type SessionState = { session: Session | null; notice: string | null };

const STORAGE_KEY = "kiln.session";
export const SESSION_ENDED_NOTICE = "Your session ended; sign in again.";

let state: SessionState = { session: readStoredSession(), notice: null };
const listeners = new Set<() => void>();

export function getSessionState(): SessionState {
  return state;
}

export function subscribeToSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function startSession(response: DevSignInResponse): void {
  save({
    accessToken: response.access_token,
    expiresAtMs: response.expires_at * 1000,
    user: response.user,
    teamId: response.team_id,
  });
}

/** A session from supabase-js (sign-in or refresh); keeps the active team across refreshes. */
export function startExternalSession(options: {
  accessToken: string;
  expiresAtSeconds: number;
  user: { id: string; email: string };
}): void {
  const current = state.session;
  const sameUser = current?.user.id === options.user.id;
  save({
    accessToken: options.accessToken,
    expiresAtMs: options.expiresAtSeconds * 1000,
    user: options.user,
    teamId: sameUser ? (current?.teamId ?? null) : null,
  });
}

const signOutHooks = new Set<() => void>();

/** Lets a sign-in provider (supabase-js) end its own session when Kiln's ends. */
export function onSessionEnded(hook: () => void): () => void {
  signOutHooks.add(hook);
  return () => signOutHooks.delete(hook);
}

export function setActiveTeam(teamId: string): void {
  if (state.session) save({ ...state.session, teamId });
}

export function endSession(notice: string | null = null): void {
  localStorage.removeItem(STORAGE_KEY);
  setState({ session: null, notice });
  for (const hook of signOutHooks) hook();
}

function save(session: Session): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  setState({ session, notice: null });
}

function setState(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

function readStoredSession(): Session | null {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null");
    if (!isSession(stored) || stored.expiresAtMs <= Date.now()) return null;
    return stored;
  } catch {
    return null;
  }
}

function isSession(value: unknown): value is Session {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Session>;
  return (
    typeof candidate.accessToken === "string" &&
    typeof candidate.expiresAtMs === "number" &&
    typeof candidate.user?.email === "string"
  );
}
