import type { RefObject } from "react";
import { Composer } from "../chat/Composer.tsx";
import { MessageList } from "../chat/MessageList.tsx";
import type { SelectionContext } from "../chat/selection-context.ts";
import type { SendInput, useChat } from "../chat/use-chat.ts";
import { ErrorNotice } from "../layout/ErrorNotice.tsx";
import { BudgetBanner } from "../limits/BudgetBanner.tsx";

export type ChatPanelProps = {
  chat: ReturnType<typeof useChat>;
  contexts: SelectionContext[];
  textareaRef: RefObject<HTMLTextAreaElement | null>;
  /** Why this person may read but not send here (a viewer), if so. */
  readOnlyReason?: string | null;
  onSend: (input: SendInput) => void;
  onShowFile: (messageId: string, path: string) => void;
  onRemoveContext: (id: string) => void;
};

export function ChatPanel({
  chat,
  contexts,
  textareaRef,
  readOnlyReason,
  onSend,
  onShowFile,
  onRemoveContext,
}: ChatPanelProps) {
  const { load, messages } = chat.state;
  const historyChars = messages.reduce((sum, message) => sum + message.content.length, 0);
  const lastAnswer = messages.findLast((message) => message.role === "assistant");
  const settledAnswers = messages.filter(
    (message) => message.role === "assistant" && message.status !== "streaming",
  ).length;

  return (
    <section className="chat-column" aria-label="Chat">
      {load.status === "loading" ? (
        <p className="loading-line" role="status">
          Loading conversation…
        </p>
      ) : null}
      {load.status === "error" ? (
        <ErrorNotice
          title="Could not load this conversation"
          error={load.error}
          actions={
            <button type="button" className="button button--small" onClick={chat.reload}>
              Try again
            </button>
          }
        />
      ) : (
        <MessageList
          messages={messages}
          streamingId={chat.streamingId}
          onShowFile={onShowFile}
          onRetry={chat.retry}
          onRefresh={chat.reload}
        />
      )}
      {/* Read again only once an answer has ended, never while one streams. */}
      <BudgetBanner refreshKey={settledAnswers} />
      {lastAnswer?.status === "complete" && chat.streamingId === null ? (
        <button
          type="button"
          className="button button--small button--ghost improve-button"
          onClick={() => chat.improve(lastAnswer.id)}
        >
          Improve this answer
        </button>
      ) : null}
      <Composer
        streaming={chat.streamingId !== null}
        contexts={contexts}
        historyChars={historyChars}
        historyTurnChars={messages.map((message) => message.content.length)}
        limit={lastAnswer?.error?.limit}
        textareaRef={textareaRef}
        readOnlyReason={readOnlyReason}
        onSend={onSend}
        onStop={chat.stop}
        onRemoveContext={onRemoveContext}
      />
    </section>
  );
}
