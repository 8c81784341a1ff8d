import { useEffect, useState } from "react";
import type { EstimateBasis } from "../../../contract/usage.ts";
import { apiRequest } from "../api/client.ts";

/** The model, price and prompt budget the next message will be estimated against; null until known. */
export function useEstimateBasis(): EstimateBasis | null {
  const [basis, setBasis] = useState<EstimateBasis | null>(null);
  useEffect(() => {
    let current = true;
    void apiRequest<EstimateBasis>("/api/limits/estimate").then((result) => {
      if (current && result.ok) setBasis(result.data);
    });
    return () => {
      current = false;
    };
  }, []);
  return basis;
}
