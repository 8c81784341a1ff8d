import type { ApiError } from "../api/errors.ts";
import { ErrorNotice } from "../layout/ErrorNotice.tsx";
import type { LineRange } from "./use-line-selection.ts";

export type SelectionBarProps = {
  range: LineRange;
  pending: boolean;
  error: ApiError | null;
  onAsk: () => void;
  onClear: () => void;
};

export function SelectionBar({ range, pending, error, onAsk, onClear }: SelectionBarProps) {
  const label = formatRange(range);

  return (
    <div className="selection-bar">
      <span className="muted small">
        {range.startLine === range.endLine
          ? "1 line selected"
          : "Shift-click a line number to extend"}
      </span>
      <div className="selection-bar__actions">
        <button type="button" className="button button--primary" onClick={onAsk} disabled={pending}>
          {pending ? "Attaching…" : `Ask about lines ${label}`}
        </button>
        <button type="button" className="button button--ghost" onClick={onClear}>
          Clear selection
        </button>
      </div>
      {error ? <ErrorNotice error={error} title="Could not attach the lines" /> : null}
    </div>
  );
}

export function formatRange(range: LineRange): string {
  return range.startLine === range.endLine
    ? String(range.startLine)
    : `${range.startLine}–${range.endLine}`;
}
