/**
 * `model` in a chat body names one of the routing config's model classes
 * (`draft`, `final`, or whatever operators defined on the ops page); the
 * class picks the chain of provider targets. An unknown name used to fall
 * through to the default class without a word, so a typo or a provider's
 * model id ("gpt-4o") was answered by some other model: now it is a 400 that
 * lists the classes this deployment routes.
 */
import { readRouting } from "../../durable-objects/routing.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";

export async function requireKnownModelClass(env: Env, model: string | undefined): Promise<void> {
  if (model === undefined) return;

  // The same document the team's TeamGateway routes by (KV, or the default without one).
  const { config } = await readRouting(env);
  const classes = Object.keys(config.classes);
  if (classes.includes(model)) return;

  throw new ApiError({
    status: 400,
    code: "unknown_model",
    message: `${JSON.stringify(model)} is not a model class this deployment routes.`,
    hint: `Send "model" as one of: ${classes.join(", ")}; or leave it out and let the routing choose by "quality".`,
  });
}
