/**
 * Builds what the model sees: the system prompt for the chosen template, the
 * conversation so far (oldest turns dropped first to fit the budget), and the
 * new message with any attached code. Cuts are made on whole characters.
 * The system prompt and the newest message are always kept whole; what was
 * left out is reported (`buildPrompt`), and the answer's metadata says so.
 */
import type { Attachment, TemplateId } from "../contract/api.ts";
import { type PromptBudget, planAttachments, type TrimReport } from "../contract/prompt-budget.ts";
import type { ChatMessage } from "./providers/types.ts";
import { SANDBOX_TEMPLATES } from "./sandboxes/templates.ts";

/** Characters of history kept; a token is about four characters. */
export const HISTORY_BUDGET_CHARS = 48_000;
export const ATTACHMENT_BUDGET_CHARS = 120_000;

/** The templates the browser previews itself, without a sandbox. */
const TEMPLATE_GUIDANCE: Record<TemplateId, string> = {
  react:
    "Build a React 19 app in TypeScript. The entry is `src/App.tsx`, whose default export is " +
    "the root component. Import only from `react` and from relative files; plain CSS files may " +
    "be imported from `src/App.tsx`. No other packages are available.",
  static:
    "Build a static web page: `index.html`, with any CSS and JavaScript in separate files " +
    "(`style.css`, `script.js`) linked by relative paths. No external URLs or packages.",
};

/**
 * Every template an answer may declare, with how to write it: the browser's
 * own, then each entry of the sandbox registry (templates.ts), so a template
 * added there is offered to the model without touching this file.
 */
export function templateCatalog(): Map<string, string[]> {
  const catalog = new Map<string, string[]>();
  for (const [name, guidance] of Object.entries(TEMPLATE_GUIDANCE)) catalog.set(name, [guidance]);
  for (const template of Object.values(SANDBOX_TEMPLATES)) {
    const { declare, guidance } = template.prompt;
    catalog.set(declare, [...(catalog.get(declare) ?? []), guidance]);
  }
  return catalog;
}

/** Built from constants only, so once per template per isolate (it was built on every turn). */
const systemPrompts = new Map<TemplateId | undefined, string>();

export function systemPrompt(template: TemplateId | undefined): string {
  let prompt = systemPrompts.get(template);
  if (prompt === undefined) {
    prompt = buildSystemPrompt(template);
    systemPrompts.set(template, prompt);
  }
  return prompt;
}

function buildSystemPrompt(template: TemplateId | undefined): string {
  const catalog = templateCatalog();
  const names = (template ? [template] : [...catalog.keys()]).map((name) => `\`template=${name}\``);
  const guidance = template
    ? TEMPLATE_GUIDANCE[template]
    : [
        "Choose the template that fits:",
        ...[...catalog].map(([name, parts]) => `- \`${name}\`: ${parts.join(" ")}`),
      ].join("\n");
  return [
    "You are Kiln, an assistant that writes small, complete, working apps.",
    "Answer with a short explanation (a few sentences), then every file of the app.",
    "Write each file as a fenced code block whose info string is the language, then",
    `\`path=<file path>\`, and on the first file also the template: ${names.join(" or ")}.`,
    "Example: ```tsx path=src/App.tsx template=react",
    "Always send whole files, never fragments or diffs.",
    guidance,
  ].join("\n");
}

export function renderAttachments(
  attachments: Attachment[],
  budgetChars = ATTACHMENT_BUDGET_CHARS,
): string {
  const plan = planAttachments(
    attachments.map((attachment) => ({ path: attachment.path, chars: attachment.content.length })),
    budgetChars,
  );
  const blocks: string[] = [];

  for (const [index, attachment] of attachments.entries()) {
    const keep = plan.keptChars[index] ?? 0;
    if (keep <= 0) continue;
    const content = truncateChars(attachment.content, keep);
    const lines =
      attachment.startLine !== undefined
        ? ` lines ${attachment.startLine}-${attachment.endLine ?? attachment.startLine}`
        : "";
    const cut = content.length < attachment.content.length ? " (truncated)" : "";
    blocks.push(`Attached: ${attachment.path}${lines}${cut}\n\`\`\`\n${content}\n\`\`\``);
  }
  return blocks.join("\n\n");
}

export function buildMessages(options: {
  history: ChatMessage[];
  message: string;
  attachments: Attachment[];
}): ChatMessage[] {
  const attached = renderAttachments(options.attachments);
  const content = attached ? `${options.message}\n\n${attached}` : options.message;
  return [...fitHistory(options.history, HISTORY_BUDGET_CHARS), { role: "user", content }];
}

/** Like `buildMessages`, within a model's budget, saying what was left out. */
export function buildPrompt(options: {
  history: ChatMessage[];
  message: string;
  attachments: Attachment[];
  budget: PromptBudget;
}): { messages: ChatMessage[]; trimmed: TrimReport } {
  const { budget } = options;
  const attached = renderAttachments(options.attachments, budget.attachmentChars);
  const content = attached ? `${options.message}\n\n${attached}` : options.message;
  const history = fitHistory(options.history, budget.historyChars);
  const plan = planAttachments(
    options.attachments.map((attachment) => ({
      path: attachment.path,
      chars: attachment.content.length,
    })),
    budget.attachmentChars,
  );
  return {
    messages: [...history, { role: "user", content }],
    trimmed: {
      historyTurnsDropped: options.history.length - history.length,
      attachmentsTruncated: plan.truncated,
      attachmentsDropped: plan.dropped,
    },
  };
}

/** Keeps the newest turns that fit, and starts on a user turn as both APIs expect. */
export function fitHistory(history: ChatMessage[], budgetChars: number): ChatMessage[] {
  const kept: ChatMessage[] = [];
  let used = 0;
  for (let index = history.length - 1; index >= 0; index--) {
    const turn = history[index];
    if (!turn || used + turn.content.length > budgetChars) break;
    kept.unshift(turn);
    used += turn.content.length;
  }
  while (kept[0] && kept[0].role !== "user") kept.shift();
  return kept;
}

/** At most `limit` UTF-16 units, never splitting a surrogate pair. */
export function truncateChars(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = Math.max(0, limit);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end);
}
