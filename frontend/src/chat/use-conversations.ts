import { useCallback, useEffect, useState } from "react";
import type { ConversationSummary } from "../../../contract/api.ts";
import { listConversations } from "../api/endpoints.ts";
import type { ApiError } from "../api/errors.ts";

export function useConversations() {
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [error, setError] = useState<ApiError | null>(null);

  const refresh = useCallback(async () => {
    const result = await listConversations();
    if (result.ok) {
      setConversations(result.data.conversations);
      setError(null);
    } else {
      setError(result.error);
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  return { conversations, error, refresh };
}
