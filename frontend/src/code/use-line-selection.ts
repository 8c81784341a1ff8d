import { useCallback, useState } from "react";

export type LineRange = { startLine: number; endLine: number };

type Selection = { path: string; anchor: number; focus: number };

/** Click a line number to select it, shift-click to extend; resets when the file changes. */
export function useLineSelection(path: string | null) {
  const [selection, setSelection] = useState<Selection | null>(null);

  const selectLine = useCallback(
    (line: number, extend: boolean) => {
      if (path === null) return;
      setSelection((current) =>
        extend && current?.path === path
          ? { ...current, focus: line }
          : { path, anchor: line, focus: line },
      );
    },
    [path],
  );

  const clear = useCallback(() => setSelection(null), []);

  const range: LineRange | null =
    selection && selection.path === path
      ? {
          startLine: Math.min(selection.anchor, selection.focus),
          endLine: Math.max(selection.anchor, selection.focus),
        }
      : null;

  return { range, selectLine, clear };
}
