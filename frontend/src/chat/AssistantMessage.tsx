import { AnswerContent } from "./AnswerContent.tsx";
import { AnswerState } from "./AnswerState.tsx";
import { MessageFooter } from "./MessageFooter.tsx";
import type { ChatMessage } from "./types.ts";

export type AssistantMessageProps = {
  message: ChatMessage;
  live: boolean;
  onShowFile: (messageId: string, path: string) => void;
  onRetry: (messageId: string) => void;
  onRefresh: () => void;
};

export function AssistantMessage({
  message,
  live,
  onShowFile,
  onRetry,
  onRefresh,
}: AssistantMessageProps) {
  const incomplete = message.status === "error" || message.status === "aborted";

  return (
    <article
      className={`message message--assistant${incomplete ? " message--incomplete" : ""}`}
      data-testid="assistant-message"
      data-status={message.status}
      aria-busy={message.status === "streaming"}
      aria-label="Answer"
    >
      {message.content ? (
        <AnswerContent
          streaming={message.status === "streaming"}
          content={message.content}
          onShowFile={(path) => onShowFile(message.id, path)}
        />
      ) : null}
      <AnswerState
        message={message}
        live={live}
        onRetry={() => onRetry(message.id)}
        onRefresh={onRefresh}
      />
      <MessageFooter message={message} />
    </article>
  );
}
