import { type FormEvent, type KeyboardEvent, type RefObject, useId, useRef, useState } from "react";
import { MAX_MESSAGE_CHARS } from "../../../contract/api.ts";
import type { LimitDetails } from "../../../contract/limits.ts";
import { NextMessageEstimate } from "../limits/NextMessageEstimate.tsx";
import { formatWait, useCountdown } from "../limits/use-countdown.ts";
import { useEstimateBasis } from "../limits/use-estimate-basis.ts";
import { ContextChips } from "./ContextChips.tsx";
import { SizeEstimate } from "./SizeEstimate.tsx";
import type { SelectionContext } from "./selection-context.ts";
import { useAttachments } from "./use-attachments.ts";
import type { SendInput } from "./use-chat.ts";

export type ComposerProps = {
  streaming: boolean;
  contexts: SelectionContext[];
  historyChars: number;
  /** Sizes of the conversation's turns, oldest first, for the trim preview. */
  historyTurnChars?: number[];
  /** The limit the last message hit: Send waits until it resets. */
  limit?: LimitDetails | undefined;
  textareaRef: RefObject<HTMLTextAreaElement | null>;
  /** Set when this person may read but not send (a viewer): says why, and the box is off. */
  readOnlyReason?: string | null | undefined;
  onSend: (input: SendInput) => void;
  onStop: () => void;
  onRemoveContext: (id: string) => void;
};

export function Composer(props: ComposerProps) {
  const messageId = useId();
  const readOnlyId = useId();
  const fileInputRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState("");
  const files = useAttachments();
  const estimateBasis = useEstimateBasis();
  const waitSeconds = useCountdown(props.limit?.resetAt);

  const trimmed = text.trim();
  const readOnly = Boolean(props.readOnlyReason);
  const canSend =
    !readOnly &&
    !props.streaming &&
    waitSeconds === 0 &&
    trimmed.length > 0 &&
    text.length <= MAX_MESSAGE_CHARS;

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    props.onSend({
      message: trimmed,
      attachments: files.attachments,
      contextIds: props.contexts.map((context) => context.id),
    });
    setText("");
    files.clear();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter while composing (IME) confirms the candidate; it must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
  };

  return (
    <form className="composer" onSubmit={submit}>
      <ContextChips
        attachments={files.attachments}
        contexts={props.contexts}
        onRemoveAttachment={files.remove}
        onRemoveContext={props.onRemoveContext}
      />
      {files.problems.length > 0 ? (
        <div className="composer__problems" role="alert">
          {files.problems.map((problem) => (
            <p key={problem}>{problem}</p>
          ))}
          <button
            type="button"
            className="button button--small button--ghost"
            onClick={files.dismissProblems}
          >
            Dismiss
          </button>
        </div>
      ) : null}
      {props.readOnlyReason ? (
        <p id={readOnlyId} className="composer__read-only" role="note">
          {props.readOnlyReason}
        </p>
      ) : null}
      <label htmlFor={messageId} className="visually-hidden">
        Message
      </label>
      <textarea
        id={messageId}
        ref={props.textareaRef}
        className="composer__input"
        rows={3}
        placeholder="Describe what to build… (Enter sends, Shift+Enter adds a line)"
        value={text}
        disabled={readOnly}
        aria-describedby={readOnly ? readOnlyId : undefined}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="composer__bar">
        <input
          ref={fileInputRef}
          type="file"
          multiple
          hidden
          aria-label="Attach files"
          onChange={(event) => {
            void files.addFiles([...(event.target.files ?? [])]);
            event.target.value = "";
          }}
        />
        <button
          type="button"
          className="button button--ghost"
          onClick={() => fileInputRef.current?.click()}
        >
          Attach files
        </button>
        <SizeEstimate
          messageChars={text.length}
          attachmentChars={files.attachments.reduce((sum, file) => sum + file.content.length, 0)}
          contextCount={props.contexts.length}
          historyChars={props.historyChars}
        />
        {props.streaming ? (
          <button type="button" className="button button--danger" onClick={props.onStop}>
            Stop
          </button>
        ) : (
          <button type="submit" className="button button--primary" disabled={!canSend}>
            {waitSeconds > 0 ? `Send in ${formatWait(waitSeconds)}` : "Send"}
          </button>
        )}
      </div>
      <NextMessageEstimate
        basis={estimateBasis}
        messageChars={text.length}
        attachments={files.attachments.map((file) => ({
          path: file.path,
          chars: file.content.length,
        }))}
        historyTurnChars={props.historyTurnChars ?? []}
      />
    </form>
  );
}
