import { useState } from "react";
import type { CodeFile } from "../../../contract/code-format.ts";
import { saveContext } from "../api/endpoints.ts";
import type { ApiError } from "../api/errors.ts";
import type { SelectionContext } from "../chat/selection-context.ts";
import type { LineRange } from "./use-line-selection.ts";

export type UseAskAboutLinesOptions = {
  conversationId: string | null;
  onAttached: (context: SelectionContext) => void;
};

/** Saves the selected lines server-side (with a TTL) and hands the id to the composer. */
export function useAskAboutLines({ conversationId, onAttached }: UseAskAboutLinesOptions) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const ask = async (file: CodeFile, range: LineRange): Promise<boolean> => {
    setPending(true);
    setError(null);

    const content = file.content
      .split("\n")
      .slice(range.startLine - 1, range.endLine)
      .join("\n");
    const result = await saveContext({
      path: file.path,
      content,
      startLine: range.startLine,
      endLine: range.endLine,
      conversationId: conversationId ?? undefined,
    });

    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return false;
    }
    onAttached({ id: result.data.id, path: file.path, ...range, expiresAt: result.data.expiresAt });
    return true;
  };

  return { ask, pending, error, clearError: () => setError(null) };
}
