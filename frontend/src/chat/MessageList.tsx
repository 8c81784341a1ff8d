import { useRef } from "react";
import { AssistantMessage } from "./AssistantMessage.tsx";
import type { ChatMessage } from "./types.ts";
import { UserMessage } from "./UserMessage.tsx";
import { useStickToBottom } from "./use-stick-to-bottom.ts";

export type MessageListProps = {
  messages: ChatMessage[];
  streamingId: string | null;
  onShowFile: (messageId: string, path: string) => void;
  onRetry: (messageId: string) => void;
  onRefresh: () => void;
};

export function MessageList({
  messages,
  streamingId,
  onShowFile,
  onRetry,
  onRefresh,
}: MessageListProps) {
  const listRef = useRef<HTMLDivElement>(null);
  const last = messages.at(-1);
  useStickToBottom(listRef, `${messages.length}:${last?.content.length}:${last?.status}`);

  if (messages.length === 0) {
    return (
      <div className="message-list message-list--empty">
        <p className="empty-title">What should we build?</p>
        <p className="muted">
          Describe an app; the code streams into the viewer and runs in the preview.
        </p>
      </div>
    );
  }

  return (
    <div
      className="message-list"
      ref={listRef}
      role="log"
      aria-label="Chat history"
      aria-live="off"
    >
      {messages.map((message) =>
        message.role === "user" ? (
          <UserMessage key={message.id} message={message} />
        ) : (
          <AssistantMessage
            key={message.id}
            message={message}
            live={message.id === streamingId}
            onShowFile={onShowFile}
            onRetry={onRetry}
            onRefresh={onRefresh}
          />
        ),
      )}
    </div>
  );
}
