import { useEffect, useState, useSyncExternalStore } from "react";
import type { ClientConfig, MeResponse, TeamView } from "../../../contract/api.ts";
import { getMe } from "../api/endpoints.ts";
import { getSessionState, setActiveTeam, subscribeToSession } from "./session-store.ts";
import { supabaseFor } from "./supabase-auth.ts";

export function useSession() {
  return useSyncExternalStore(subscribeToSession, getSessionState);
}

/** Starts supabase-js at load when a project is configured, so it restores and refreshes sessions. */
export function useSupabaseSession(config: ClientConfig | null) {
  const settings = config?.supabase;
  useEffect(() => {
    if (settings) void supabaseFor(settings);
  }, [settings]);
}

/** One `GET /api/me` per token, shared by everything that needs the teams. */
let meRequest: { token: string; promise: ReturnType<typeof getMe> } | null = null;

export function loadMe(options: { fresh?: boolean } = {}): ReturnType<typeof getMe> {
  const token = getSessionState().session?.accessToken ?? "";
  if (options.fresh || !meRequest || meRequest.token !== token) {
    meRequest = { token, promise: getMe() };
  }
  return meRequest.promise;
}

/**
 * Confirms the stored token with `GET /api/me` (a 401 ends the session through
 * the API client) and picks a team when none is active yet, or when the
 * active one is no longer the person's (removed from it).
 */
export function useTeams(signedIn: boolean) {
  const [me, setMe] = useState<MeResponse | null>(null);

  useEffect(() => {
    if (!signedIn) return;
    let cancelled = false;

    void loadMe().then((result) => {
      if (cancelled || !result.ok) return;
      setMe(result.data);
      const { session } = getSessionState();
      const teams = result.data.teams;
      const first = teams[0];
      const activeIsMine = teams.some((team) => team.id === session?.teamId);
      if (session && !activeIsMine && first) setActiveTeam(first.id);
    });

    return () => {
      cancelled = true;
    };
  }, [signedIn]);

  const teams: TeamView[] = me?.teams ?? [];
  return teams;
}

/** The whole `/api/me` answer: teams and invitations waiting for the caller. */
export function useMe(signedIn: boolean) {
  const [me, setMe] = useState<MeResponse | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    if (!signedIn) return;
    let cancelled = false;
    void loadMe({ fresh: version > 0 }).then((result) => {
      if (!cancelled && result.ok) setMe(result.data);
    });
    return () => {
      cancelled = true;
    };
  }, [signedIn, version]);

  return { me, reload: () => setVersion((current) => current + 1) };
}
