import { useId } from "react";
import { setActiveTeam } from "./session-store.ts";
import { useSession, useTeams } from "./use-session.ts";

/**
 * The active team, in the header. Switching reloads the workspace so every
 * list (conversations, history) is read again for the new team.
 */
export function TeamSwitcher() {
  const id = useId();
  const { session } = useSession();
  const teams = useTeams(!!session);
  if (!session || teams.length === 0) return null;

  const active = teams.find((team) => team.id === session.teamId) ?? teams[0];
  return (
    <div className="team-switcher">
      <label htmlFor={id} className="visually-hidden">
        Team
      </label>
      <select
        id={id}
        aria-label="Active team"
        value={active?.id ?? ""}
        onChange={(event) => {
          setActiveTeam(event.target.value);
          window.location.assign("/");
        }}
      >
        {teams.map((team) => (
          <option key={team.id} value={team.id}>
            {team.name} ({team.role})
          </option>
        ))}
      </select>
      <a className="button button--ghost" href="/team">
        Team
      </a>
    </div>
  );
}
