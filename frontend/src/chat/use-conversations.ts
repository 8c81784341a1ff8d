import { useCallback, useEffect, useState } from "react";
import type { ConversationSummary } from "../../../contract/api.ts";
import { listConversations } from "../api/endpoints.ts";
import type { ApiError } from "../api/errors.ts";

/** A new conversation is saved through the write queue: look again for it, a few times. */
const MISSING_RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000];

export function useConversations(currentId: string | null = null) {
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  /** False until the first answer (list or error) arrives. */
  const [loaded, setLoaded] = useState(false);
  const [missingRetries, setMissingRetries] = useState(0);

  const refresh = useCallback(async () => {
    const result = await listConversations();
    if (result.ok) {
      setConversations(result.data.conversations);
      setError(null);
    } else {
      setError(result.error);
    }
    setLoaded(true);
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const missing =
    currentId !== null && !conversations.some((conversation) => conversation.id === currentId);
  useEffect(() => {
    if (!missing) {
      setMissingRetries(0);
      return;
    }
    const delayMs = MISSING_RETRY_DELAYS_MS[missingRetries];
    if (delayMs === undefined) return;
    const timer = setTimeout(() => {
      setMissingRetries((count) => count + 1);
      void refresh();
    }, delayMs);
    return () => clearTimeout(timer);
  }, [missing, missingRetries, refresh]);

  return { conversations, error, loaded, refresh };
}
