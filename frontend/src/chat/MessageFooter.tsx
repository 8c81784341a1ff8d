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
      {usage ? (
        <span title={`Cache read ${usage.cacheReadTokens}, cache write ${usage.cacheWriteTokens}`}>
          {numberFormat.format(usage.inputTokens)} in · {numberFormat.format(usage.outputTokens)}{" "}
          out tokens
        </span>
      ) : null}
    </p>
  );
}
