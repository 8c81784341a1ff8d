import { useCallback, useState } from "react";
import { type Attachment, MAX_ATTACHMENT_CHARS, MAX_ATTACHMENTS } from "../../../contract/api.ts";

const numberFormat = new Intl.NumberFormat();

/** Text files attached to the next message; refusals are kept as messages to show. */
export function useAttachments() {
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [problems, setProblems] = useState<string[]>([]);

  const addFiles = useCallback(async (files: File[]) => {
    const accepted: Attachment[] = [];
    const refused: string[] = [];

    for (const file of files) {
      const path = file.webkitRelativePath || file.name;
      const refusal = await readAttachment(file, path);
      if (typeof refusal === "string") refused.push(refusal);
      else accepted.push(refusal);
    }

    setAttachments((current) => {
      const merged = [
        ...current.filter((existing) => !accepted.some((added) => added.path === existing.path)),
        ...accepted,
      ];
      if (merged.length > MAX_ATTACHMENTS) {
        refused.push(
          `Only ${MAX_ATTACHMENTS} files can be attached to one message; the rest were left out.`,
        );
      }
      return merged.slice(0, MAX_ATTACHMENTS);
    });
    setProblems(refused);
  }, []);

  const remove = useCallback((path: string) => {
    setAttachments((current) => current.filter((attachment) => attachment.path !== path));
  }, []);

  const clear = useCallback(() => {
    setAttachments([]);
    setProblems([]);
  }, []);

  return { attachments, problems, addFiles, remove, clear, dismissProblems: () => setProblems([]) };
}

async function readAttachment(file: File, path: string): Promise<Attachment | string> {
  // Checked on bytes first so a huge file is never read into memory.
  if (file.size > MAX_ATTACHMENT_CHARS * 4) return tooLarge(path, file.size, "bytes");

  const content = await file.text();
  if (content.length > MAX_ATTACHMENT_CHARS) return tooLarge(path, content.length, "characters");
  if (content.includes("\u0000"))
    return `${path} looks like a binary file; only text files can be attached.`;
  return { path, content };
}

function tooLarge(path: string, size: number, unit: string): string {
  return (
    `${path} is too large to attach (${numberFormat.format(size)} ${unit}); ` +
    `the limit is ${numberFormat.format(MAX_ATTACHMENT_CHARS)} characters per file.`
  );
}
