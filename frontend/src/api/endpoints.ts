import type {
  ClientConfig,
  ContextRequest,
  ContextResponse,
  ConversationListResponse,
  ConversationResponse,
  DevSignInResponse,
  MeResponse,
} from "../../../contract/api.ts";
import { apiRequest } from "./client.ts";
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
