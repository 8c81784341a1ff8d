/**
 * Teams and people: create a team, see its members, invite, change roles,
 * remove, accept an invitation. Which role may call each route is in
 * access.ts; the checks here give a clear error before RLS would refuse.
 */
import { Hono } from "hono";
import { z } from "zod";
import {
  changeRoleRequestSchema,
  createTeamRequestSchema,
  inviteRequestSchema,
  type TeamMembersResponse,
  type TeamRoleName,
} from "../../contract/api.ts";
import { withSql } from "../db/client.ts";
import { forgetMembership } from "../db/memberships.ts";
import {
  acceptInvitation,
  countOwners,
  createInvitation,
  createTeam,
  deleteInvitation,
  findMemberRole,
  findMemberRoleByEmail,
  listMembers,
  listTeamInvitations,
  removeMember,
  updateMemberRole,
} from "../db/team-admin.ts";
import { withTenant } from "../db/tenant.ts";
import type { AppBindings } from "../env.ts";
import { ApiError } from "../errors.ts";
import { parseJsonBody } from "../middleware/body/parse.ts";
import { allow } from "./access.ts";

const idSchema = z.uuid();

export const teamRoutes = new Hono<AppBindings>()
  .post("/teams", allow("POST /api/teams"), async (c) => {
    const { name } = await parseJsonBody(c, createTeamRequestSchema);
    const auth = c.get("auth");
    const team = await withSql(c.env, (sql) =>
      createTeam(sql, { name, owner: { id: auth.userId, email: auth.email } }),
    );
    return c.json({ team }, 201);
  })
  .post("/invitations/:id/accept", allow("POST /api/invitations/:id/accept"), async (c) => {
    const id = c.req.param("id");
    const auth = c.get("auth");
    const team = idSchema.safeParse(id).success
      ? await withSql(c.env, (sql) =>
          acceptInvitation(sql, { invitationId: id, user: { id: auth.userId, email: auth.email } }),
        )
      : null;
    if (!team) throw invitationNotFound();
    await forgetMembership(c.env, team.id, auth.userId);
    return c.json({ team });
  })
  .get("/team/members", allow("GET /api/team/members"), async (c) => {
    const team = c.get("team");
    const manager = team.role === "owner" || team.role === "admin";
    const body = await withTenant(
      c.env,
      c.get("auth"),
      async (sql): Promise<TeamMembersResponse> => ({
        team,
        members: await listMembers(sql, team.id),
        invitations: manager ? await listTeamInvitations(sql, team.id) : [],
      }),
    );
    return c.json(body);
  })
  .post("/team/invitations", allow("POST /api/team/invitations"), async (c) => {
    const { email, role } = await parseJsonBody(c, inviteRequestSchema);
    const team = c.get("team");
    const auth = c.get("auth");
    const invitee = email.trim().toLowerCase();
    const invitation = await withTenant(c.env, auth, async (sql) => {
      const current = await findMemberRoleByEmail(sql, { teamId: team.id, email: invitee });
      if (current) throw alreadyAMember(current);
      return createInvitation(sql, {
        teamId: team.id,
        email: invitee,
        role,
        invitedBy: auth.userId,
      });
    });
    return c.json({ invitation }, 201);
  })
  .delete("/team/invitations/:id", allow("DELETE /api/team/invitations/:id"), async (c) => {
    const id = c.req.param("id");
    const team = c.get("team");
    const deleted =
      idSchema.safeParse(id).success &&
      (await withTenant(c.env, c.get("auth"), (sql) =>
        deleteInvitation(sql, { teamId: team.id, invitationId: id }),
      ));
    if (!deleted) throw invitationNotFound();
    return c.body(null, 204);
  })
  .patch("/team/members/:userId", allow("PATCH /api/team/members/:userId"), async (c) => {
    const { role } = await parseJsonBody(c, changeRoleRequestSchema);
    const userId = memberIdFrom(c.req.param("userId"));
    const team = c.get("team");

    await withTenant(c.env, c.get("auth"), async (sql) => {
      const current = await findMemberRole(sql, { teamId: team.id, userId });
      if (!current) throw memberNotFound();
      checkOwnerRules({ actorRole: team.role, current, next: role });
      if (current === "owner" && role !== "owner" && (await countOwners(sql, team.id)) <= 1) {
        throw lastOwner();
      }
      await updateMemberRole(sql, { teamId: team.id, userId, role });
    });
    await forgetMembership(c.env, team.id, userId);
    return c.json({ userId, role });
  })
  .delete("/team/members/:userId", allow("DELETE /api/team/members/:userId"), async (c) => {
    const userId = memberIdFrom(c.req.param("userId"));
    const team = c.get("team");

    await withTenant(c.env, c.get("auth"), async (sql) => {
      const current = await findMemberRole(sql, { teamId: team.id, userId });
      if (!current) throw memberNotFound();
      checkOwnerRules({ actorRole: team.role, current, next: null });
      if (current === "owner" && (await countOwners(sql, team.id)) <= 1) throw lastOwner();
      await removeMember(sql, { teamId: team.id, userId });
    });
    await forgetMembership(c.env, team.id, userId);
    return c.body(null, 204);
  });

/** Only an owner may make an owner or act on one. */
function checkOwnerRules(options: {
  actorRole: string;
  current: TeamRoleName;
  next: TeamRoleName | null;
}) {
  const touchesOwner = options.current === "owner" || options.next === "owner";
  if (touchesOwner && options.actorRole !== "owner") {
    throw new ApiError({
      status: 403,
      code: "forbidden",
      message: "Only an owner may grant, change or remove the owner role.",
      hint: "Ask one of the team's owners.",
    });
  }
}

function memberIdFrom(value: string): string {
  if (!idSchema.safeParse(value).success) throw memberNotFound();
  return value;
}

function memberNotFound(): ApiError {
  return new ApiError({
    status: 404,
    code: "not_found",
    message: "That person is not a member of this team.",
    hint: "Reload the member list.",
  });
}

function invitationNotFound(): ApiError {
  return new ApiError({
    status: 404,
    code: "invitation_not_found",
    message: "That invitation does not exist or is not addressed to you.",
    hint: "Ask the team's owner or an admin to invite your email address again.",
  });
}

function alreadyAMember(role: TeamRoleName): ApiError {
  return new ApiError({
    status: 409,
    code: "already_a_member",
    message: `That person is already a member of this team (${role}).`,
    hint: "Change their role in the member list instead of inviting them.",
  });
}

function lastOwner(): ApiError {
  return new ApiError({
    status: 409,
    code: "last_owner",
    message: "A team needs at least one owner.",
    hint: "Make someone else an owner first.",
  });
}
