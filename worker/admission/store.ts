/**
 * The admission policy and the waitlist in Workers KV: one key for the
 * policy (written rarely, by operators), one key per waitlisted email, so no
 * key is written more than once a second (KV's limit) however many people
 * knock at once.
 */
import type { Env } from "../env.ts";
import { type AdmissionPolicy, admissionPolicySchema, defaultPolicy } from "./policy.ts";

const POLICY_KEY = "admission:policy";
const WAITLIST_PREFIX = "admission:waitlist:";
/** How long a KV read may be served from the edge cache; KV's minimum. */
const POLICY_CACHE_TTL_SECONDS = 60;

export type WaitlistEntry = { email: string; requestedAt: string };

export async function readPolicy(env: Env): Promise<AdmissionPolicy> {
  const stored = await env.KILN_KV.get(POLICY_KEY, {
    type: "json",
    cacheTtl: POLICY_CACHE_TTL_SECONDS,
  });
  const parsed = admissionPolicySchema.safeParse(stored);
  // A missing or unreadable record falls back to the configured default, never to open.
  return parsed.success ? parsed.data : defaultPolicy(env.KILN_ADMISSION_DEFAULT);
}

export async function writePolicy(env: Env, policy: AdmissionPolicy): Promise<void> {
  await env.KILN_KV.put(POLICY_KEY, JSON.stringify(policy));
}

export async function joinWaitlist(env: Env, email: string): Promise<WaitlistEntry> {
  const key = `${WAITLIST_PREFIX}${email}`;
  const existing = await env.KILN_KV.get<WaitlistEntry>(key, "json");
  if (existing) return existing;

  const entry: WaitlistEntry = { email, requestedAt: new Date().toISOString() };
  // The entry rides in the key's metadata too, so listing needs no read per key.
  await env.KILN_KV.put(key, JSON.stringify(entry), { metadata: entry });
  return entry;
}

export async function listWaitlist(
  env: Env,
  options: { cursor?: string | undefined; limit: number },
): Promise<{ entries: WaitlistEntry[]; cursor: string | undefined }> {
  const page = await env.KILN_KV.list<WaitlistEntry>({
    prefix: WAITLIST_PREFIX,
    limit: options.limit,
    ...(options.cursor ? { cursor: options.cursor } : {}),
  });
  const entries = page.keys.map(
    (key) => key.metadata ?? { email: key.name.slice(WAITLIST_PREFIX.length), requestedAt: "" },
  );
  return { entries, cursor: page.list_complete ? undefined : page.cursor };
}

export async function leaveWaitlist(env: Env, email: string): Promise<void> {
  await env.KILN_KV.delete(`${WAITLIST_PREFIX}${email}`);
}
