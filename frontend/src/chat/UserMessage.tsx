import { PaperclipIcon } from "../layout/icons.tsx";
import type { ChatMessage } from "./types.ts";

export type UserMessageProps = { message: ChatMessage };

export function UserMessage({ message }: UserMessageProps) {
  return (
    <article className="message message--user" aria-label="You asked">
      <p className="message__text">{message.content}</p>
      {message.attachments.length > 0 ? (
        <ul className="chip-list" aria-label="Attached files">
          {message.attachments.map((attachment) => (
            <li key={`${attachment.path}:${attachment.startLine ?? ""}`} className="chip">
              <PaperclipIcon /> {attachment.path}
              {attachment.startLine ? `:${attachment.startLine}–${attachment.endLine}` : ""}
            </li>
          ))}
        </ul>
      ) : null}
    </article>
  );
}
