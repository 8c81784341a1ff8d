import type {
  IncidentSwitches,
  IncidentSwitchesUpdate,
  OpsObservabilityResponse,
  TeamMetricsResponse,
} from "../../../contract/observability.ts";
import { apiRequest } from "../api/client.ts";
import type { ApiResult } from "../api/errors.ts";

export function getTeamMetrics(): Promise<ApiResult<TeamMetricsResponse>> {
  return apiRequest("/api/metrics");
}

export function getOpsObservability(): Promise<ApiResult<OpsObservabilityResponse>> {
  return apiRequest("/api/ops/observability");
}

export function putIncidentSwitches(
  update: IncidentSwitchesUpdate,
): Promise<ApiResult<IncidentSwitches>> {
  return apiRequest("/api/ops/switches", { method: "PUT", body: update });
}
