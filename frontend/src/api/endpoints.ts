import type {
  ClientConfig,
  ContextRequest,
  ContextResponse,
  ConversationListResponse,
  ConversationResponse,
  DevSignInResponse,
  InvitationView,
  MeResponse,
  TeamMembersResponse,
  TeamRoleName,
  TeamView,
} from "../../../contract/api.ts";
import { apiFetch, apiRequest } from "./client.ts";
import type { ApiResult } from "./errors.ts";

export function getConfig(): Promise<ApiResult<ClientConfig>> {
  return apiRequest("/api/config");
}

export function devSignIn(email: string): Promise<ApiResult<DevSignInResponse>> {
  return apiRequest("/api/dev/sign-in", { method: "POST", body: { email } });
}

export function getMe(): Promise<ApiResult<MeResponse>> {
  return apiRequest("/api/me");
}

export function listConversations(): Promise<ApiResult<ConversationListResponse>> {
  return apiRequest("/api/conversations");
}

export function getConversation(id: string): Promise<ApiResult<ConversationResponse>> {
  return apiRequest(`/api/conversations/${encodeURIComponent(id)}`);
}

export function saveContext(body: ContextRequest): Promise<ApiResult<ContextResponse>> {
  return apiRequest("/api/context", { method: "POST", body });
}

/** Stop: the server aborts the answer (and its upstream call) for this key at once. */
export function stopAnswer(idempotencyKey: string): Promise<ApiResult<{ stopped: boolean }>> {
  return apiRequest("/api/chat/stop", {
    method: "POST",
    headers: { "Idempotency-Key": idempotencyKey },
  });
}

export function getTeamMembers(): Promise<ApiResult<TeamMembersResponse>> {
  return apiRequest("/api/team/members");
}

export function inviteMember(body: {
  email: string;
  role: "admin" | "member" | "viewer";
}): Promise<ApiResult<{ invitation: InvitationView }>> {
  return apiRequest("/api/team/invitations", { method: "POST", body });
}

export async function withdrawInvitation(id: string): Promise<ApiResult<null>> {
  const result = await apiFetch(`/api/team/invitations/${encodeURIComponent(id)}`, {
    method: "DELETE",
  });
  return result.ok ? { ok: true, data: null } : result;
}

export function changeMemberRole(
  userId: string,
  role: TeamRoleName,
): Promise<ApiResult<{ userId: string; role: TeamRoleName }>> {
  return apiRequest(`/api/team/members/${encodeURIComponent(userId)}`, {
    method: "PATCH",
    body: { role },
  });
}

export async function removeMember(userId: string): Promise<ApiResult<null>> {
  const result = await apiFetch(`/api/team/members/${encodeURIComponent(userId)}`, {
    method: "DELETE",
  });
  return result.ok ? { ok: true, data: null } : result;
}

export function acceptInvitation(id: string): Promise<ApiResult<{ team: TeamView }>> {
  return apiRequest(`/api/invitations/${encodeURIComponent(id)}/accept`, { method: "POST" });
}

export function createTeam(name: string): Promise<ApiResult<{ team: TeamView }>> {
  return apiRequest("/api/teams", { method: "POST", body: { name } });
}
