import { useCallback, useEffect, useState } from "react";
import type { ClientConfig } from "../../../contract/api.ts";
import { getConfig } from "../api/endpoints.ts";
import type { ApiError } from "../api/errors.ts";

export type ConfigState =
  | { status: "loading" }
  | { status: "ready"; config: ClientConfig }
  | { status: "error"; error: ApiError };

export function useConfig() {
  const [state, setState] = useState<ConfigState>({ status: "loading" });

  const load = useCallback(async () => {
    setState({ status: "loading" });
    const result = await getConfig();
    setState(
      result.ok
        ? { status: "ready", config: result.data }
        : { status: "error", error: result.error },
    );
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return { state, reload: load };
}
