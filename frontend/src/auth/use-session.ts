import { useEffect, useState, useSyncExternalStore } from "react";
import type { TeamView } from "../../../contract/api.ts";
import { getMe } from "../api/endpoints.ts";
import { getSessionState, setActiveTeam, subscribeToSession } from "./session-store.ts";

export function useSession() {
  return useSyncExternalStore(subscribeToSession, getSessionState);
}

/**
 * Confirms the stored token with `GET /api/me` (a 401 ends the session through
 * the API client) and picks a team when none is active yet.
 */
export function useTeams(signedIn: boolean) {
  const [teams, setTeams] = useState<TeamView[]>([]);

  useEffect(() => {
    if (!signedIn) return;
    let cancelled = false;

    void getMe().then((result) => {
      if (cancelled || !result.ok) return;
      setTeams(result.data.teams);
      const { session } = getSessionState();
      const first = result.data.teams[0];
      if (session && !session.teamId && first) setActiveTeam(first.id);
    });

    return () => {
      cancelled = true;
    };
  }, [signedIn]);

  return teams;
}
