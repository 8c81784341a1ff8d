/**
 * Team management queries: members, invitations, roles. They run as the
 * caller (asTenant), so the RLS policies are what finally allow or refuse
 * each write; the checks in routes/team.ts exist to give a clear error first.
 */
import type { InvitationView, TeamMemberView, TeamRoleName, TeamView } from "../../contract/api.ts";
import type { Sql } from "./client.ts";
import type { TenantSql } from "./tenant.ts";

type InvitationRow = {
  id: string;
  team_id: string;
  team_name: string;
  email: string;
  role: TeamRoleName;
  created_at: Date;
};

function toInvitation(row: InvitationRow): InvitationView {
  return {
    id: row.id,
    teamId: row.team_id,
    teamName: row.team_name,
    email: row.email,
    role: row.role,
    createdAt: row.created_at.toISOString(),
  };
}

export async function listMembers(sql: TenantSql, teamId: string): Promise<TeamMemberView[]> {
  const rows = await sql<
    { user_id: string; email: string; role: TeamRoleName; created_at: Date }[]
  >`
    select m.user_id, p.email, m.role, m.created_at
    from public.memberships m join public.profiles p on p.id = m.user_id
    where m.team_id = ${teamId}
    order by array_position(array['owner', 'admin', 'member', 'viewer'], m.role), p.email`;
  return rows.map((row) => ({
    userId: row.user_id,
    email: row.email,
    role: row.role,
    joinedAt: row.created_at.toISOString(),
  }));
}

export async function listTeamInvitations(
  sql: TenantSql,
  teamId: string,
): Promise<InvitationView[]> {
  const rows = await sql<InvitationRow[]>`
    select i.id, i.team_id, t.name as team_name, i.email, i.role, i.created_at
    from public.invitations i join public.teams t on t.id = i.team_id
    where i.team_id = ${teamId} order by i.created_at`;
  return rows.map(toInvitation);
}

/**
 * Invitations addressed to the caller. Privileged read: the invitee is not
 * a member of the team yet, so the teams policy would hide the team's name.
 */
export async function listInvitationsForEmail(sql: Sql, email: string): Promise<InvitationView[]> {
  const rows = await sql<InvitationRow[]>`
    select i.id, i.team_id, t.name as team_name, i.email, i.role, i.created_at
    from public.invitations i join public.teams t on t.id = i.team_id
    where i.email = ${email.toLowerCase()} order by i.created_at`;
  return rows.map(toInvitation);
}

/** The role of the team member with this email, if one is. */
export async function findMemberRoleByEmail(
  sql: TenantSql,
  options: { teamId: string; email: string },
): Promise<TeamRoleName | null> {
  const [row] = await sql<{ role: TeamRoleName }[]>`
    select m.role from public.memberships m join public.profiles p on p.id = m.user_id
    where m.team_id = ${options.teamId} and lower(p.email) = ${options.email.toLowerCase()}`;
  return row?.role ?? null;
}

/**
 * Invites `email`, or replaces the pending invitation to the same email
 * (same id, the new role and inviter): inviting again is how people fix a
 * wrong role, and one pending invitation per person keeps the invitee's list clear.
 */
export async function createInvitation(
  sql: TenantSql,
  options: { teamId: string; email: string; role: TeamRoleName; invitedBy: string },
): Promise<InvitationView> {
  const [row] = await sql<InvitationRow[]>`
    with inserted as (
      insert into public.invitations (team_id, email, role, invited_by)
      values (${options.teamId}, ${options.email}, ${options.role}, ${options.invitedBy})
      on conflict (team_id, email)
        do update set role = excluded.role, invited_by = excluded.invited_by
      returning id, team_id, email, role, created_at
    )
    select inserted.*, t.name as team_name
    from inserted join public.teams t on t.id = inserted.team_id`;
  if (!row) throw new Error("invitation insert returned no row");
  return toInvitation(row);
}

export async function deleteInvitation(
  sql: TenantSql,
  options: { teamId: string; invitationId: string },
): Promise<boolean> {
  const result = await sql`
    delete from public.invitations
    where id = ${options.invitationId} and team_id = ${options.teamId}`;
  return result.count > 0;
}

export async function findMemberRole(
  sql: TenantSql,
  options: { teamId: string; userId: string },
): Promise<TeamRoleName | null> {
  const [row] = await sql<{ role: TeamRoleName }[]>`
    select role from public.memberships
    where team_id = ${options.teamId} and user_id = ${options.userId}`;
  return row?.role ?? null;
}

export async function countOwners(sql: TenantSql, teamId: string): Promise<number> {
  const [row] = await sql<{ count: number }[]>`
    select count(*)::int as count from public.memberships
    where team_id = ${teamId} and role = 'owner'`;
  return row?.count ?? 0;
}

export async function updateMemberRole(
  sql: TenantSql,
  options: { teamId: string; userId: string; role: TeamRoleName },
): Promise<boolean> {
  const result = await sql`
    update public.memberships set role = ${options.role}
    where team_id = ${options.teamId} and user_id = ${options.userId}`;
  return result.count > 0;
}

export async function removeMember(
  sql: TenantSql,
  options: { teamId: string; userId: string },
): Promise<boolean> {
  const result = await sql`
    delete from public.memberships
    where team_id = ${options.teamId} and user_id = ${options.userId}`;
  return result.count > 0;
}

/**
 * Accepts an invitation addressed to `email`. Privileged: the invitee is not
 * a member yet, and no policy lets a user add themselves to a team; the
 * email match below is the authorization.
 */
export async function acceptInvitation(
  sql: Sql,
  options: { invitationId: string; user: { id: string; email: string } },
): Promise<TeamView | null> {
  return sql.begin(async (tx) => {
    const [invitation] = await tx<{ team_id: string; role: TeamRoleName; team_name: string }[]>`
      delete from public.invitations i using public.teams t
      where i.id = ${options.invitationId} and i.email = ${options.user.email.toLowerCase()}
        and t.id = i.team_id
      returning i.team_id, i.role, t.name as team_name`;
    if (!invitation) return null;

    await tx`
      insert into public.profiles (id, email) values (${options.user.id}, ${options.user.email})
      on conflict (id) do update set email = excluded.email`;
    // Already a member (invited before joining another way): keep the role they have.
    const [membership] = await tx<{ role: TeamRoleName }[]>`
      insert into public.memberships (team_id, user_id, role)
      values (${invitation.team_id}, ${options.user.id}, ${invitation.role})
      on conflict (team_id, user_id) do update set role = public.memberships.role
      returning role`;
    const role = membership?.role ?? invitation.role;
    return { id: invitation.team_id, name: invitation.team_name, role };
  }) as Promise<TeamView | null>;
}

/** Creates a team owned by the caller. Privileged: no membership exists to authorize it yet. */
export async function createTeam(
  sql: Sql,
  options: { name: string; owner: { id: string; email: string } },
): Promise<TeamView> {
  return sql.begin(async (tx) => {
    await tx`
      insert into public.profiles (id, email) values (${options.owner.id}, ${options.owner.email})
      on conflict (id) do update set email = excluded.email`;
    const [team] = await tx<{ id: string; name: string }[]>`
      insert into public.teams (name) values (${options.name}) returning id, name`;
    if (!team) throw new Error("team insert returned no row");
    await tx`
      insert into public.memberships (team_id, user_id, role)
      values (${team.id}, ${options.owner.id}, 'owner')`;
    return { id: team.id, name: team.name, role: "owner" };
  }) as Promise<TeamView>;
}
