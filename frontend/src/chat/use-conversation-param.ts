import { useCallback, useEffect, useState } from "react";

const PARAM = "c";

/**
 * The open conversation lives in the URL (`?c=<id>`) so a reload or a shared
 * link reopens it, and Back/Forward move between conversations.
 */
export function useConversationParam() {
  const [conversationId, setConversationIdState] = useState(readParam);

  useEffect(() => {
    const onPopState = () => setConversationIdState(readParam());
    window.addEventListener("popstate", onPopState);
    return () => window.removeEventListener("popstate", onPopState);
  }, []);

  const setConversationId = useCallback((id: string | null, mode: "push" | "replace" = "push") => {
    const url = new URL(window.location.href);
    if (id) {
      url.searchParams.set(PARAM, id);
    } else {
      url.searchParams.delete(PARAM);
    }
    if (url.href !== window.location.href) {
      window.history[mode === "push" ? "pushState" : "replaceState"](null, "", url);
    }
    setConversationIdState(id);
  }, []);

  return [conversationId, setConversationId] as const;
}

function readParam(): string | null {
  return new URLSearchParams(window.location.search).get(PARAM);
}
