import { useCallback, useDeferredValue, useMemo, useState } from "react";
import type { TemplateId } from "../../../contract/api.ts";
import { parseCodeAnswer } from "../../../contract/code-format.ts";
import type { ChatMessage } from "../chat/types.ts";
import type { PreviewRequest } from "../preview/types.ts";

const FILE_FENCE = /^ {0,3}(`{3,}|~{3,})[^\n]*\bpath=/m;

type Pin = { messageId: string; path: string | null };

/**
 * Which answer's files the code viewer and preview show: the latest answer
 * that has files, or one the person picked by clicking a file chip.
 */
export function useWorkspaceFiles(input: { messages: ChatMessage[]; template: TemplateId | null }) {
  const [pin, setPin] = useState<Pin | null>(null);
  const source = pickSource(input.messages, pin?.messageId);

  const content = useDeferredValue(source?.content ?? "");
  const answer = useMemo(
    () => parseCodeAnswer(content, input.template ?? undefined),
    [content, input.template],
  );
  const caughtUp = content === (source?.content ?? "");

  const pinnedPath = pin && pin.messageId === source?.id ? pin.path : null;
  const writing = answer.files.findLast((file) => !file.complete);
  const selectedPath =
    answer.files.find((file) => file.path === pinnedPath)?.path ??
    writing?.path ??
    answer.files[0]?.path ??
    null;

  const previewRequest: PreviewRequest | null = source
    ? {
        key: source.id,
        files: answer.files,
        template: answer.template,
        declaredTemplate: answer.declaredTemplate,
        answerStatus: source.status,
        complete: source.status === "complete" && caughtUp,
      }
    : null;

  const showFile = useCallback(
    (messageId: string, path: string) => setPin({ messageId, path }),
    [],
  );
  const selectPath = useCallback(
    (path: string) => {
      if (source) setPin({ messageId: source.id, path });
    },
    [source],
  );
  const reset = useCallback(() => setPin(null), []);

  const writingFiles = source?.status === "streaming";

  return {
    files: answer.files,
    writingFiles,
    selectedPath,
    selectPath,
    showFile,
    reset,
    previewRequest,
  };
}

function pickSource(messages: ChatMessage[], pinnedId: string | undefined): ChatMessage | null {
  const pinned = pinnedId ? messages.find((message) => message.id === pinnedId) : undefined;
  if (pinned) return pinned;
  return (
    messages.findLast(
      (message) => message.role === "assistant" && FILE_FENCE.test(message.content),
    ) ?? null
  );
}
