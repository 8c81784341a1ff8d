import type { Attachment } from "../../../contract/api.ts";
import { LinesIcon, PaperclipIcon } from "../layout/icons.tsx";
import type { SelectionContext } from "./selection-context.ts";

export type ContextChipsProps = {
  attachments: Attachment[];
  contexts: SelectionContext[];
  onRemoveAttachment: (path: string) => void;
  onRemoveContext: (id: string) => void;
};

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

/** What goes with the next message: attached files and selected lines, each removable. */
export function ContextChips({
  attachments,
  contexts,
  onRemoveAttachment,
  onRemoveContext,
}: ContextChipsProps) {
  if (attachments.length === 0 && contexts.length === 0) return null;

  return (
    <ul className="chip-list" aria-label="Goes with what you send next">
      {attachments.map((attachment) => (
        <li key={attachment.path} className="chip">
          <PaperclipIcon /> {attachment.path}
          <button
            type="button"
            className="chip__remove"
            aria-label={`Remove ${attachment.path}`}
            onClick={() => onRemoveAttachment(attachment.path)}
          >
            ×
          </button>
        </li>
      ))}
      {contexts.map((context) => {
        const label = `${context.path}:${context.startLine}${context.endLine === context.startLine ? "" : `–${context.endLine}`}`;
        return (
          <li
            key={context.id}
            className="chip chip--context"
            title={`Kept on the server until ${timeFormat.format(new Date(context.expiresAt))}`}
          >
            <LinesIcon /> {label}
            <button
              type="button"
              className="chip__remove"
              aria-label={`Remove ${label}`}
              onClick={() => onRemoveContext(context.id)}
            >
              ×
            </button>
          </li>
        );
      })}
    </ul>
  );
}
