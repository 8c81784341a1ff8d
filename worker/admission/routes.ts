/**
 * The ops API for go-live stages, platform operators only:
 *
 * - `GET /api/ops/admission`: the policy in force;
 * - `PUT /api/ops/admission` `{ mode, allow }`: switch stage or allow-list;
 * - `GET /api/ops/admission/waitlist?cursor=`: who is waiting;
 * - `POST /api/ops/admission/admit` `{ emails }`: allow them and take them off
 *   the waitlist.
 *
 * Changes reach every location within about a minute (KV propagation).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppBindings } from "../env.ts";
import { parseJsonBody } from "../middleware/body/parse.ts";
import { allow } from "../routes/access.ts";
import { admissionPolicySchema } from "./policy.ts";
import { leaveWaitlist, listWaitlist, readPolicy, writePolicy } from "./store.ts";

const WAITLIST_PAGE_SIZE = 100;

const admitRequestSchema = z.object({
  emails: z.array(z.email().trim().toLowerCase()).min(1).max(500),
});

export const admissionRoutes = new Hono<AppBindings>()
  .get("/admission", allow("GET /api/ops/admission"), async (c) => {
    return c.json({ policy: await readPolicy(c.env) });
  })
  .put("/admission", allow("PUT /api/ops/admission"), async (c) => {
    const policy = await parseJsonBody(c, admissionPolicySchema);
    const stored = { ...policy, allow: [...new Set(policy.allow)] };
    await writePolicy(c.env, stored);
    return c.json({ policy: stored });
  })
  .get("/admission/waitlist", allow("GET /api/ops/admission/waitlist"), async (c) => {
    const page = await listWaitlist(c.env, {
      cursor: c.req.query("cursor"),
      limit: WAITLIST_PAGE_SIZE,
    });
    return c.json({ waitlist: page.entries, cursor: page.cursor ?? null });
  })
  .post("/admission/admit", allow("POST /api/ops/admission/admit"), async (c) => {
    const { emails } = await parseJsonBody(c, admitRequestSchema);
    const policy = await readPolicy(c.env);

    const allow = [...new Set([...policy.allow, ...emails])];
    await writePolicy(c.env, { ...policy, allow });
    await Promise.all(emails.map((email) => leaveWaitlist(c.env, email)));
    return c.json({ policy: { ...policy, allow }, admitted: emails });
  });
