import { useId } from "react";
import type { CodeFile } from "../../../contract/code-format.ts";
import type { SelectionContext } from "../chat/selection-context.ts";
import { CodeTabs } from "./CodeTabs.tsx";
import { FileActions } from "./FileActions.tsx";
import { HighlightedCode } from "./HighlightedCode.tsx";
import { SelectionBar } from "./SelectionBar.tsx";
import { useAskAboutLines } from "./use-ask-about-lines.ts";
import { useLineSelection } from "./use-line-selection.ts";
import "./code.css";

export type CodeViewerProps = {
  files: CodeFile[];
  /** The answer is still arriving, so an unfinished file is being written, not cut off. */
  writing: boolean;
  selectedPath: string | null;
  onSelectPath: (path: string) => void;
  conversationId: string | null;
  onContextAttached: (context: SelectionContext) => void;
};

export default function CodeViewer(props: CodeViewerProps) {
  const { files, selectedPath, onSelectPath } = props;
  const baseId = useId();
  const file = files.find((candidate) => candidate.path === selectedPath) ?? files[0] ?? null;
  const selection = useLineSelection(file?.path ?? null);
  const asker = useAskAboutLines({
    conversationId: props.conversationId,
    onAttached: props.onContextAttached,
  });

  if (!file) {
    return (
      <section className="code-viewer code-viewer--empty" aria-label="Code">
        <p className="muted">No code yet. Files from the answer appear here as they are written.</p>
      </section>
    );
  }

  const idFor = (path: string) => {
    const key = encodeURIComponent(path).replaceAll("%", "_");
    return { tab: `${baseId}-tab-${key}`, panel: `${baseId}-panel-${key}` };
  };
  const ids = idFor(file.path);

  const ask = async () => {
    if (selection.range && (await asker.ask(file, selection.range))) selection.clear();
  };

  return (
    <section className="code-viewer" aria-label="Code">
      <div className="code-viewer__bar">
        <CodeTabs files={files} selectedPath={file.path} onSelect={onSelectPath} idFor={idFor} />
        <FileActions file={file} files={files} />
      </div>
      <div className="code-viewer__panel" role="tabpanel" id={ids.panel} aria-labelledby={ids.tab}>
        {file.complete ? null : (
          <p className="writing-marker" role="status">
            {props.writing ? "writing…" : "incomplete: the answer did not finish"}
          </p>
        )}
        <HighlightedCode
          code={file.content}
          language={file.language}
          range={selection.range}
          onSelectLine={selection.selectLine}
        />
      </div>
      {selection.range ? (
        <SelectionBar
          range={selection.range}
          pending={asker.pending}
          error={asker.error}
          onAsk={ask}
          onClear={() => {
            selection.clear();
            asker.clearError();
          }}
        />
      ) : null}
    </section>
  );
}
