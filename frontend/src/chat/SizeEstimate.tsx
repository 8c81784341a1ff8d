import { MAX_MESSAGE_CHARS } from "../../../contract/api.ts";

export type SizeEstimateProps = {
  messageChars: number;
  attachmentChars: number;
  contextCount: number;
  historyChars: number;
};

const CHARS_PER_TOKEN = 4;
const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

/**
 * A rough size of what the next message sends, shown before sending so a
 * prompt never grows silently. About four characters a token is close enough
 * to warn; the server trims history to its token budget and says so.
 */
export function SizeEstimate({
  messageChars,
  attachmentChars,
  contextCount,
  historyChars,
}: SizeEstimateProps) {
  const tooLong = messageChars > MAX_MESSAGE_CHARS;
  const sendTokens = Math.ceil((messageChars + attachmentChars) / CHARS_PER_TOKEN);
  const historyTokens = Math.ceil(historyChars / CHARS_PER_TOKEN);

  return (
    <p className={`size-estimate${tooLong ? " size-estimate--over" : ""}`} aria-live="polite">
      {tooLong
        ? `Message is ${compact.format(messageChars)} characters; the limit is ${compact.format(MAX_MESSAGE_CHARS)}.`
        : `≈ ${compact.format(sendTokens)} tokens to send`}
      {contextCount > 0 ? ` + ${contextCount} selection${contextCount === 1 ? "" : "s"}` : ""}
      {historyTokens > 0 ? ` · conversation so far ≈ ${compact.format(historyTokens)} tokens` : ""}
    </p>
  );
}
