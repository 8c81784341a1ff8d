import type {
  OpsBreakersResponse,
  OpsRoutingResponse,
  RoutingConfig,
} from "../../../contract/routing.ts";
import { apiRequest } from "./client.ts";
import type { ApiResult } from "./errors.ts";

export function getRouting(): Promise<ApiResult<OpsRoutingResponse>> {
  return apiRequest("/api/ops/routing");
}

/** Saves over `expectedVersion`; a 409 `version_conflict` means someone else saved first. */
export function saveRouting(
  config: RoutingConfig,
  expectedVersion: number,
): Promise<ApiResult<OpsRoutingResponse>> {
  return apiRequest("/api/ops/routing", { method: "PUT", body: { expectedVersion, config } });
}

export function getBreakers(): Promise<ApiResult<OpsBreakersResponse>> {
  return apiRequest("/api/ops/breakers");
}
