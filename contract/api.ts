/**
 * The HTTP contract between the Worker and the SPA, defined once and imported
 * by both. Request bodies are validated with these schemas at the edge; the
 * SPA uses the same types to read responses and stream events.
 */
import { z } from "zod";
import { limitDetailsSchema } from "./limits.ts";
import type { TrimReport } from "./prompt-budget.ts";

/** Every error the API returns has this one shape, whatever the route. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    hint: z.string().optional(),
    requestId: z.string(),
    /** Present on every limit error (429). */
    limit: limitDetailsSchema.optional(),
    /** W3C trace id of the request, for support to follow it through every hop. */
    traceId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const templateIdSchema = z.enum(["react", "static"]);
export type TemplateId = z.infer<typeof templateIdSchema>;

export const devSignInRequestSchema = z.object({
  email: z.email().max(254),
});

export type DevSignInResponse = {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  expires_at: number;
  user: { id: string; email: string };
  team_id: string;
  team: { id: string; name: string };
};

export const MAX_MESSAGE_CHARS = 32_000;
export const MAX_ATTACHMENT_CHARS = 200_000;
export const MAX_ATTACHMENTS = 20;

/**
 * Text that Postgres can store: a `text` column rejects U+0000, which a
 * binary file pasted or attached as text brings along.
 */
function storableText(limits: { min?: number; max: number }) {
  return z
    .string()
    .min(limits.min ?? 0)
    .max(limits.max)
    .refine((value) => !value.includes("\u0000"), {
      message: "contains a NUL character (U+0000); attach text files only",
    });
}

/** A file or a selection of lines a person attaches to a message. */
export const attachmentSchema = z
  .object({
    path: storableText({ min: 1, max: 300 }),
    content: storableText({ max: MAX_ATTACHMENT_CHARS }),
    startLine: z.number().int().positive().optional(),
    endLine: z.number().int().positive().optional(),
  })
  .refine(
    (selection) =>
      selection.startLine === undefined ||
      selection.endLine === undefined ||
      selection.endLine >= selection.startLine,
    { message: "endLine must not come before startLine", path: ["endLine"] },
  );
export type Attachment = z.infer<typeof attachmentSchema>;

export const chatRequestSchema = z.object({
  message: storableText({ max: MAX_MESSAGE_CHARS }).pipe(z.string().trim().min(1)),
  conversationId: z.uuid().optional(),
  template: templateIdSchema.optional(),
  model: z.string().min(1).max(100).optional(),
  attachments: z.array(attachmentSchema).max(MAX_ATTACHMENTS).optional(),
  /** Ids of selections saved with `POST /api/context`. */
  contextIds: z.array(z.uuid()).max(MAX_ATTACHMENTS).optional(),
  /**
   * "draft" (default) may use the team's cheaper draft model and the prompt
   * cache; "final" ("Improve") asks for the final model and a fresh answer.
   */
  quality: z.enum(["draft", "final"]).optional(),
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;

export const contextRequestSchema = attachmentSchema.safeExtend({
  conversationId: z.uuid().optional(),
});
export type ContextRequest = z.infer<typeof contextRequestSchema>;
export type ContextResponse = { id: string; expiresAt: string };

export type Usage = {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
};

/**
 * Events of a `POST /api/chat` stream. Each is one SSE event whose `event:`
 * field is the `type` below and whose `data:` is the JSON of the rest.
 */
export type ChatStreamEvent =
  | {
      type: "meta";
      conversationId: string;
      userMessageId: string;
      assistantMessageId: string;
      provider: string;
      model: string;
      simulated: boolean;
      /** True when the first choice of the route failed and a later target served. */
      fallbackUsed: boolean;
      /** Calls made to find a target that answered (1 = the first worked). */
      attempts: number;
      /** True when this is a stored answer replayed for a repeated Idempotency-Key. */
      replay?: boolean;
      /** What the prompt left out to fit the model's budget (absent when nothing was). */
      trimmed?: TrimReport;
      /** A replay of a cached answer: no model call, no cost. */
      cached?: boolean;
    }
  | { type: "delta"; text: string }
  | { type: "usage"; usage: Usage }
  | { type: "error"; code: string; message: string; requestId: string }
  | { type: "done"; finishReason: string };

export type MessageStatus = "complete" | "error" | "aborted" | "streaming";

export type MessageView = {
  id: string;
  role: "user" | "assistant";
  content: string;
  status: MessageStatus;
  provider: string | null;
  model: string | null;
  /** Whether a fallback target (not the route's first choice) served this answer. */
  fallbackUsed: boolean;
  /** True when the saved content is the start of a longer answer (the stream had it whole). */
  contentTruncated: boolean;
  usage: Usage | null;
  attachments: Attachment[];
  createdAt: string;
};

export type ConversationSummary = {
  id: string;
  title: string;
  template: TemplateId | null;
  createdAt: string;
  updatedAt: string;
};

export type ConversationListResponse = { conversations: ConversationSummary[] };
export type ConversationResponse = {
  conversation: ConversationSummary;
  messages: MessageView[];
};

export type TeamView = { id: string; name: string; role: string };
export type MeResponse = {
  user: { id: string; email: string; isPlatformOperator: boolean };
  teams: TeamView[];
  /** Invitations to the caller's email that wait to be accepted. */
  invitations?: InvitationView[];
};

/** Public, unauthenticated facts the SPA needs before sign-in. */
export type ClientConfig = {
  environment: string;
  version: string;
  devSignIn: boolean;
  /** Set when a Supabase project is configured: the SPA signs in with supabase-js. */
  supabase?: { url: string; anonKey: string };
  provider: { name: string; model: string; simulated: boolean };
  /** `simulated`: sandboxes run in the local E2B simulator. */
  sandbox: { mode: "browser" | "e2b"; simulated?: boolean };
  /** Present when the SPA should report its errors to Sentry (a DSN is public by design). */
  sentry?: { dsn: string; release: string; environment: string };
};

export type DependencyState = { status: "ok" | "degraded" | "down"; detail?: string };
export type HealthResponse = {
  status: "ok" | "degraded";
  version: string;
  environment: string;
  dependencies: {
    database: DependencyState & { latencyMs?: number };
    provider: DependencyState & { name: string; simulated: boolean };
    sandbox: DependencyState & { mode: "browser" | "e2b" };
  };
};

/** Roles within a team, strongest first. Viewers read but never spend. */
export const teamRoleSchema = z.enum(["owner", "admin", "member", "viewer"]);
export type TeamRoleName = z.infer<typeof teamRoleSchema>;

export const createTeamRequestSchema = z.object({ name: z.string().trim().min(1).max(100) });
export const inviteRequestSchema = z.object({
  email: z.email().max(254),
  role: z.enum(["admin", "member", "viewer"]),
});
export const changeRoleRequestSchema = z.object({ role: teamRoleSchema });

export type TeamMemberView = {
  userId: string;
  email: string;
  role: TeamRoleName;
  joinedAt: string;
};
export type InvitationView = {
  id: string;
  teamId: string;
  teamName: string;
  email: string;
  role: TeamRoleName;
  createdAt: string;
};
export type TeamMembersResponse = {
  team: TeamView;
  members: TeamMemberView[];
  /** Pending invitations; only owners and admins see them (empty otherwise). */
  invitations: InvitationView[];
};
export type InvitationsResponse = { invitations: InvitationView[] };
