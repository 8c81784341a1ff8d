import type { MessageStatus, TemplateId } from "../../../contract/api.ts";
import type { CodeFile } from "../../../contract/code-format.ts";

/** What the workspace asks the preview to show: the files of one answer. */
export type PreviewRequest = {
  /** Changes whenever a different answer (or the same one, reloaded) is shown. */
  key: string;
  files: CodeFile[];
  template: TemplateId;
  /** The template the answer named, which may be one the browser cannot run. */
  declaredTemplate: string | null;
  answerStatus: MessageStatus;
  /** The answer ended with `done`; only then are its files final. */
  complete: boolean;
};

export type FrameStatus =
  | { state: "building" }
  | { state: "rendered"; renderedInMs: number }
  | { state: "error"; message: string; stack?: string; file?: string };

export type FrameSlot = {
  id: string;
  /** The frame that runs this render (frames are numbered in the order they are made). */
  frameId: number;
  startedAtMs: number;
  status: FrameStatus;
};
