import type { ChatRequest } from "../../../contract/api.ts";

/**
 * The answer this tab is waiting for, kept in sessionStorage so that after a
 * reload the page asks for it again with the same Idempotency-Key: the
 * server joins the in-flight answer (or replays it) instead of starting a
 * second one.
 */
export type PendingAnswer = {
  key: string;
  request: ChatRequest;
  conversationId: string | null;
};

const STORAGE_KEY = "kiln.pending-answer";

export function readPending(): PendingAnswer | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as PendingAnswer) : null;
  } catch {
    return null;
  }
}

export function savePending(pending: PendingAnswer): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(pending));
  } catch {
    // Storage full or disabled: resuming after a reload is then not possible, chat still works.
  }
}

export function clearPending(key: string): void {
  if (readPending()?.key === key) sessionStorage.removeItem(STORAGE_KEY);
}
