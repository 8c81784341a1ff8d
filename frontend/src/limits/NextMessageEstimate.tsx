import { formatMicroUsd } from "../../../contract/limits.ts";
import {
  estimateNextMessage,
  historyTurnsToDrop,
  planAttachments,
} from "../../../contract/prompt-budget.ts";
import type { EstimateBasis } from "../../../contract/usage.ts";

export type NextMessageEstimateProps = {
  basis: EstimateBasis | null;
  messageChars: number;
  attachments: { path: string; chars: number }[];
  historyTurnChars: number[];
};

const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

/**
 * Before sending: what the next message will cost at most, and what the
 * server will leave out to fit the model's prompt budget (the same rule the
 * gateway applies, from contract/prompt-budget.ts).
 */
export function NextMessageEstimate(props: NextMessageEstimateProps) {
  const { basis } = props;
  if (!basis || props.messageChars === 0) return null;

  const dropTurns = historyTurnsToDrop(props.historyTurnChars, basis.budget.historyChars);
  const keptHistory = props.historyTurnChars
    .slice(dropTurns)
    .reduce((sum, chars) => sum + chars, 0);
  const files = planAttachments(props.attachments, basis.budget.attachmentChars);
  const attachedChars = files.keptChars.reduce((sum, chars) => sum + chars, 0);
  const estimate = estimateNextMessage({
    promptChars: props.messageChars + attachedChars + keptHistory,
    price: basis.price,
  });

  const trims: string[] = [];
  if (dropTurns > 0) trims.push(`the oldest ${dropTurns} turn${dropTurns === 1 ? "" : "s"}`);
  if (files.truncated.length > 0) trims.push(`the end of ${files.truncated.join(", ")}`);
  if (files.dropped.length > 0) trims.push(files.dropped.join(", "));

  return (
    <p className="next-estimate" data-testid="next-estimate">
      ≈ {compact.format(estimate.promptTokens)} tokens in, up to{" "}
      {compact.format(estimate.maxOutputTokens)} out on {basis.model}: at most{" "}
      {formatMicroUsd(estimate.worstCaseMicroUsd)}
      {trims.length > 0 ? <> · to fit, leaves out {trims.join("; ")}</> : null}
    </p>
  );
}
