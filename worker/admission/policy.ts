/**
 * Go-live stages: who may get a Kiln account. The policy lives in Workers KV
 * so operators switch stages without a deploy (KV propagates in about a
 * minute); the stages map onto three modes:
 *
 * - internal demo: `allow_list` with your own domain (`@example.com`);
 * - small beta: `waitlist`: the allow-list still decides, and everyone else
 *   is recorded on a waitlist that operators admit from;
 * - everyone: `open`.
 *
 * Only the creation of a person's first team is gated: people who already
 * belong to a team, and platform operators, are always let in, so tightening
 * the stage never locks out an existing user.
 */
import { z } from "zod";

export const ADMISSION_MODES = ["allow_list", "waitlist", "open"] as const;
export type AdmissionMode = (typeof ADMISSION_MODES)[number];

/** An email (`ada@example.com`) or a whole domain (`@example.com`). */
const allowEntrySchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .refine((entry) => /^[^@\s]*@[^@\s]+\.[^@\s]+$/.test(entry), {
    message: "expected an email or @domain",
  });

export const admissionPolicySchema = z.object({
  mode: z.enum(ADMISSION_MODES),
  allow: z.array(allowEntrySchema).max(5_000).default([]),
});
export type AdmissionPolicy = z.infer<typeof admissionPolicySchema>;

export type AdmissionDecision =
  | { admitted: true; reason: "open" | "allow_list" }
  | { admitted: false; mode: "allow_list" | "waitlist" };

export function decideAdmission(policy: AdmissionPolicy, email: string): AdmissionDecision {
  if (policy.mode === "open") return { admitted: true, reason: "open" };

  const address = email.trim().toLowerCase();
  const domain = address.slice(address.lastIndexOf("@"));
  const listed = policy.allow.some((entry) => entry === address || entry === domain);
  if (listed) return { admitted: true, reason: "allow_list" };
  return { admitted: false, mode: policy.mode };
}

/**
 * The policy in force when KV holds none: `KILN_ADMISSION_DEFAULT` (staging
 * and production set `allow_list`, so a fresh deploy admits only operators
 * until one opens it); open when unset, as local development needs. A value
 * that is set but misspelt closes sign-up rather than opening it.
 */
export function defaultPolicy(configuredMode: string | undefined): AdmissionPolicy {
  const configured = configuredMode?.trim();
  if (!configured) return { mode: "open", allow: [] };
  const parsed = z.enum(ADMISSION_MODES).safeParse(configured);
  return { mode: parsed.success ? parsed.data : "allow_list", allow: [] };
}
