import { ErrorNotice } from "../layout/ErrorNotice.tsx";
import type { ChatMessage } from "./types.ts";

export type AnswerStateProps = {
  message: ChatMessage;
  /** This page is receiving the answer (not just showing a saved one). */
  live: boolean;
  onRetry: () => void;
  onRefresh: () => void;
};

/** Says when an answer is not whole: still arriving, stopped, cut off or failed. */
export function AnswerState({ message, live, onRetry, onRefresh }: AnswerStateProps) {
  const retry = (
    <button type="button" className="button button--small" onClick={onRetry}>
      Retry
    </button>
  );

  const resumed =
    message.resumed === null ? null : (
      <p className="answer-state answer-state--info" role="status">
        {message.resumed === "reload"
          ? "Picked up again after the page reloaded."
          : "The connection dropped; the answer was resumed where it left off."}
      </p>
    );

  switch (message.status) {
    case "complete":
      return resumed;
    case "streaming":
      if (!live) {
        return (
          <p className="answer-state answer-state--info" role="status">
            This answer was still being written when the conversation loaded.{" "}
            <button type="button" className="button button--small" onClick={onRefresh}>
              Refresh
            </button>
          </p>
        );
      }
      return (
        <p className="answer-state answer-state--live" role="status">
          <span className="pulse" aria-hidden="true" />
          {message.reconnecting
            ? "Connection lost — reconnecting…"
            : message.resumed === "reload"
              ? "Resumed after reload — writing…"
              : "Writing…"}
        </p>
      );
    case "aborted":
      return (
        <div className="answer-state answer-state--warning" role="status">
          <span>Stopped. This answer is incomplete.</span>
          {retry}
        </div>
      );
    case "error":
      return (
        <ErrorNotice
          title={message.content ? "The answer is incomplete" : "No answer"}
          error={
            message.error ?? {
              code: "unknown",
              message: "The answer ended with an error.",
            }
          }
          actions={retry}
        />
      );
  }
}
