import { useCallback, useEffect, useState } from "react";
import type { ApiError, ApiResult } from "../api/errors.ts";

export type Polled<T> =
  | { status: "loading" }
  | { status: "ready"; data: T; error: ApiError | null }
  | { status: "error"; error: ApiError };

/**
 * Loads `fetcher` now and every `intervalMs`. A failed refresh keeps the last
 * figures on screen with the error beside them, rather than blanking them.
 */
export function usePolled<T>(fetcher: () => Promise<ApiResult<T>>, intervalMs: number) {
  const [state, setState] = useState<Polled<T>>({ status: "loading" });

  const refresh = useCallback(async () => {
    const result = await fetcher();
    setState((previous) => {
      if (result.ok) return { status: "ready", data: result.data, error: null };
      if (previous.status === "ready") return { ...previous, error: result.error };
      return { status: "error", error: result.error };
    });
  }, [fetcher]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), intervalMs);
    return () => clearInterval(timer);
  }, [refresh, intervalMs]);

  return { state, refresh };
}
