import type { TrimReport } from "../../../contract/prompt-budget.ts";
import type { ChatMessage } from "./types.ts";

export type MessageFooterProps = { message: ChatMessage };

const numberFormat = new Intl.NumberFormat();

/** Which provider and model answered, and what it cost in tokens. */
export function MessageFooter({ message }: MessageFooterProps) {
  if (!message.provider && !message.usage) return null;
  const { usage } = message;

  return (
    <p className="message-footer">
      {message.provider ? (
        <span>
          {message.provider} · {message.model}
          {message.simulated ? <span className="badge badge--small">simulated</span> : null}
          {message.fallbackUsed ? (
            <span
              className="badge badge--small badge--warning"
              title="The route's first choice failed or is switched off"
            >
              fallback
            </span>
          ) : null}
        </span>
      ) : null}
      {message.cached ? <span className="badge badge--small">cached · no cost</span> : null}
      {message.trimmed ? <span>{describeTrim(message.trimmed)}</span> : null}
      {usage ? (
        <span title={`Cache read ${usage.cacheReadTokens}, cache write ${usage.cacheWriteTokens}`}>
          {numberFormat.format(usage.inputTokens)} in · {numberFormat.format(usage.outputTokens)}{" "}
          out tokens
        </span>
      ) : null}
    </p>
  );
}

/** What the prompt left out, in words: "Left out to fit: 3 older turns; the end of a.ts". */
function describeTrim(trimmed: TrimReport): string {
  const parts: string[] = [];
  const turns = trimmed.historyTurnsDropped;
  if (turns > 0) parts.push(`${turns} older turn${turns === 1 ? "" : "s"}`);
  if (trimmed.attachmentsTruncated.length > 0) {
    parts.push(`the end of ${trimmed.attachmentsTruncated.join(", ")}`);
  }
  if (trimmed.attachmentsDropped.length > 0) parts.push(trimmed.attachmentsDropped.join(", "));
  return `Left out to fit: ${parts.join("; ")}`;
}
