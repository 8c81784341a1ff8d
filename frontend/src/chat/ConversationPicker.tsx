import { useId } from "react";
import type { ConversationSummary } from "../../../contract/api.ts";

export type ConversationPickerProps = {
  conversations: ConversationSummary[];
  conversationId: string | null;
  /** False while the saved list is still being read. */
  loaded: boolean;
  /** Why the saved list could not be read, if it could not. */
  error: string | null;
  onSelect: (conversationId: string | null) => void;
};

export function ConversationPicker({
  conversations,
  conversationId,
  loaded,
  error,
  onSelect,
}: ConversationPickerProps) {
  const selectId = useId();
  const known = conversations.some((conversation) => conversation.id === conversationId);

  return (
    <div className="conversation-picker">
      <label htmlFor={selectId} className="visually-hidden">
        Conversation
      </label>
      <select
        id={selectId}
        value={conversationId ?? ""}
        aria-busy={!loaded}
        title={error ?? undefined}
        onChange={(event) => onSelect(event.target.value || null)}
      >
        <option value="">{conversationId ? "Choose a conversation…" : "New conversation"}</option>
        {conversationId && !known ? (
          <option value={conversationId}>Current conversation</option>
        ) : null}
        {error ? (
          <option value="" disabled>
            Could not load saved conversations
          </option>
        ) : null}
        {conversations.map((conversation) => (
          <option key={conversation.id} value={conversation.id}>
            {conversation.title || "Untitled"}
          </option>
        ))}
      </select>
      <button type="button" className="button" onClick={() => onSelect(null)}>
        New chat
      </button>
    </div>
  );
}
