import { useEffect, useState } from "react";
import type { CodeFile } from "../../../contract/code-format.ts";
import { downloadAll, downloadFile } from "./download.ts";

export type FileActionsProps = { file: CodeFile; files: CodeFile[] };

export function FileActions({ file, files }: FileActionsProps) {
  const [copyState, setCopyState] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    if (copyState === "idle") return;
    const timer = setTimeout(() => setCopyState("idle"), 2000);
    return () => clearTimeout(timer);
  }, [copyState]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(file.content);
      setCopyState("copied");
    } catch {
      setCopyState("failed");
    }
  };

  return (
    <div className="file-actions">
      <span className="visually-hidden" role="status">
        {copyState === "copied" ? `Copied ${file.path}` : ""}
      </span>
      <button
        type="button"
        className="button button--small"
        onClick={copy}
        aria-label={`Copy ${file.path}`}
      >
        {copyState === "copied" ? "Copied" : copyState === "failed" ? "Copy failed" : "Copy"}
      </button>
      <button
        type="button"
        className="button button--small"
        onClick={() => downloadFile(file)}
        aria-label={`Download ${file.path}`}
      >
        Download
      </button>
      <button
        type="button"
        className="button button--small"
        onClick={() => downloadAll(files)}
        title="All files in one .zip"
      >
        Download all
      </button>
    </div>
  );
}
