import type { TeamView } from "../../contract/api.ts";
import { admitNewPerson } from "../admission/gate.ts";
import type { Sql } from "./client.ts";
import type { TenantSql } from "./tenant.ts";

/**
 * Makes sure a signed-in person has a profile and a personal team they own:
 * created on first sign-in, found again afterwards.
 */
export async function ensurePersonalTeam(
  sql: Sql,
  user: { id: string; email: string },
): Promise<TeamView> {
  await admitNewPerson(sql, user);
  return sql.begin(async (tx) => {
    await tx`
      insert into public.profiles (id, email) values (${user.id}, ${user.email})
      on conflict (id) do update set email = excluded.email`;

    const name = `${user.email.split("@")[0] || "My"}'s team`.slice(0, 100);
    const [team] = await tx<{ id: string; name: string }[]>`
      insert into public.teams (name, personal_owner_id) values (${name}, ${user.id})
      on conflict (personal_owner_id) do update set personal_owner_id = excluded.personal_owner_id
      returning id, name`;
    if (!team) throw new Error("personal team upsert returned no row");

    await tx`
      insert into public.memberships (team_id, user_id, role) values (${team.id}, ${user.id}, 'owner')
      on conflict (team_id, user_id) do nothing`;
    return { id: team.id, name: team.name, role: "owner" };
  });
}

export async function listTeamsForUser(sql: TenantSql, userId: string): Promise<TeamView[]> {
  return sql<TeamView[]>`
    select t.id, t.name, m.role
    from public.memberships m join public.teams t on t.id = m.team_id
    where m.user_id = ${userId}
    order by (t.personal_owner_id = ${userId}) desc nulls last, t.created_at`;
}
