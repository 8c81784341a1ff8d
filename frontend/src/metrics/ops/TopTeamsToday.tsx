import type { TeamToday } from "../../../../contract/observability.ts";
import { count, dollars } from "../format.ts";

/** The teams with the highest cost and the most errors since 00:00 UTC. */
export function TopTeamsToday(props: { byCost: TeamToday[]; byErrors: TeamToday[] }) {
  return (
    <section className="obs-card" aria-label="Top teams today">
      <h3>Teams today</h3>
      <TeamTable caption="Highest cost" teams={props.byCost} />
      <TeamTable caption="Most errors" teams={props.byErrors} />
    </section>
  );
}

function TeamTable({ caption, teams }: { caption: string; teams: TeamToday[] }) {
  return (
    <table className="obs-table">
      <caption className="small muted">{caption}</caption>
      <thead>
        <tr>
          <th>Team</th>
          <th className="number">Requests</th>
          <th className="number">Errors</th>
          <th className="number">Cost</th>
        </tr>
      </thead>
      <tbody>
        {teams.length === 0 ? (
          <tr>
            <td colSpan={4} className="muted">
              None today.
            </td>
          </tr>
        ) : (
          teams.map((team) => (
            <tr key={team.teamId}>
              <td>
                <code title={team.teamId}>{team.teamId.slice(0, 8)}</code>
              </td>
              <td className="number">{count(team.requests)}</td>
              <td className="number">{count(team.errors)}</td>
              <td className="number">{dollars(team.costMicroUsd)}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
