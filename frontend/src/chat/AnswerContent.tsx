import { lazy, Suspense, useDeferredValue, useMemo } from "react";
import { splitCodeAnswer } from "../../../contract/code-format.ts";
import { FileIcon } from "../layout/icons.tsx";

const AnswerMarkdown = lazy(() => import("./AnswerMarkdown.tsx"));

export type AnswerContentProps = {
  content: string;
  /** Still arriving: an unclosed file is being written rather than cut off. */
  streaming: boolean;
  onShowFile: (path: string) => void;
};

/** The explanation as markdown; each file fence as a chip that opens it in the code viewer. */
export function AnswerContent({ content, streaming, onShowFile }: AnswerContentProps) {
  // Deferred: while text streams in fast, markdown re-renders at the pace the browser allows.
  const deferred = useDeferredValue(content);
  const segments = useMemo(() => splitCodeAnswer(deferred), [deferred]);

  return (
    <div className="answer">
      {segments.map((segment, index) => {
        if (segment.kind === "text") {
          if (segment.text.trim() === "") return null;
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional and only grow
            <Suspense key={index} fallback={<p className="answer__plain">{segment.text}</p>}>
              <AnswerMarkdown text={segment.text} />
            </Suspense>
          );
        }

        const { path, complete } = segment.file;
        return (
          <button
            // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional and only grow
            key={index}
            type="button"
            className="file-chip"
            onClick={() => onShowFile(path)}
            aria-label={`Show ${path} in the code viewer`}
          >
            <FileIcon />
            {path}
            {complete ? null : (
              <span className="file-chip__writing">{streaming ? "writing…" : "incomplete"}</span>
            )}
          </button>
        );
      })}
    </div>
  );
}
