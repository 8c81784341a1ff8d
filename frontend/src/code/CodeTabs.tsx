import { type KeyboardEvent, useRef } from "react";
import type { CodeFile } from "../../../contract/code-format.ts";

export type CodeTabsProps = {
  files: CodeFile[];
  selectedPath: string | null;
  onSelect: (path: string) => void;
  idFor: (path: string) => { tab: string; panel: string };
};

/** One tab per file, named by its path; arrow keys move between tabs. */
export function CodeTabs({ files, selectedPath, onSelect, idFor }: CodeTabsProps) {
  const listRef = useRef<HTMLDivElement>(null);

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const last = files.length - 1;
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: last }[event.key];
    if (next === undefined) return;
    event.preventDefault();

    const wrapped = next > last ? 0 : next < 0 ? last : next;
    const file = files[wrapped];
    if (!file) return;
    onSelect(file.path);
    listRef.current?.querySelectorAll<HTMLButtonElement>('[role="tab"]')[wrapped]?.focus();
  };

  return (
    <div className="code-tabs" role="tablist" aria-label="Files" ref={listRef}>
      {files.map((file, index) => {
        const selected = file.path === selectedPath;
        const ids = idFor(file.path);
        return (
          <button
            key={file.path}
            type="button"
            role="tab"
            id={ids.tab}
            aria-selected={selected}
            aria-controls={ids.panel}
            tabIndex={selected ? 0 : -1}
            className="code-tabs__tab"
            title={file.path}
            onClick={() => onSelect(file.path)}
            onKeyDown={(event) => onKeyDown(event, index)}
          >
            {file.path}
            {file.complete ? null : <span className="writing-dot" aria-hidden="true" />}
          </button>
        );
      })}
    </div>
  );
}
