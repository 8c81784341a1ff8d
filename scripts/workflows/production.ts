/**
 * Which workflow steps touch production, checked in every workflow file, not
 * only the two that are meant to: a step that deploys, uploads, rolls back,
 * puts secrets or migrates production must run in a job whose `environment`
 * is the protected `production` one (its required reviewers are the gate),
 * in a workflow that no push or pull request can start.
 *
 * Works on the parsed YAML (anchors, block scalars and quoting resolved), and
 * resolves `$NAME` / `${NAME}` from the workflow, job and step `env` before
 * matching, so `--env "$TARGET"` with `TARGET: production` counts too.
 */
import type { Job, Step, Workflow } from "./policy.ts";

export const PRODUCTION_ENVIRONMENT = "production";

/** Triggers anyone with push access, or a fork's pull request, can fire. */
const UNGATED_TRIGGERS = ["push", "pull_request", "pull_request_target"];

// `--env production`, `--env=production`, quoted or not, and
// `CLOUDFLARE_ENV=production` as a shell assignment, anywhere in a command.
const PRODUCTION_ENV_FLAG =
  /(?:^|[\s;&|(])--env(?:\s+|=)["']?production["']?(?=$|[\s;&|)])|\bCLOUDFLARE_ENV=["']?production\b/;
// `-e production` / `-e=production` is wrangler's short flag, but also
// grep's and sed's: it counts on a line that runs wrangler.
const PRODUCTION_SHORT_FLAG = /(?:^|[\s;&|(])-e(?:\s+|=)["']?production["']?(?=$|[\s;&|)])/;

/** Wrangler commands that change what production serves or holds. */
const WRANGLER_CHANGE =
  /\bwrangler\s+(?:deploy|publish|rollback|secret|versions\s+(?:deploy|upload|rollback|secret))\b/;

const MIGRATE = /\bnpm\s+run\s+db:migrate\b|\bscripts\/migrate\.ts\b/;

type Env = Record<string, unknown> | undefined;

export function productionProblems(options: {
  file: string;
  workflow: Workflow;
  triggers: string[];
}): string[] {
  const { file, workflow, triggers } = options;
  const problems: string[] = [];
  const ungated = triggers.filter((trigger) => UNGATED_TRIGGERS.includes(trigger));

  for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
    const touching = (job.steps ?? []).filter((step) =>
      stepTouchesProduction({ step, env: { ...envOf(workflow), ...envOf(job), ...envOf(step) } }),
    );
    if (touching.length === 0) continue;

    if (environmentName(job) !== PRODUCTION_ENVIRONMENT) {
      problems.push(`${file}: job "${id}" touches production outside the protected environment`);
    }
    if (ungated.length > 0) {
      problems.push(
        `${file}: job "${id}" touches production in a workflow started by ${ungated.join(", ")}; ` +
          "production runs only by hand (workflow_dispatch)",
      );
    }
  }
  return problems;
}

function stepTouchesProduction(options: { step: Step; env: Record<string, string> }): boolean {
  const { step, env } = options;

  if (step.uses && /^cloudflare\/wrangler-action@/.test(step.uses)) {
    const inputs = step.with ?? {};
    const command = `wrangler ${String(inputs.command ?? "deploy")}`;
    return (
      String(inputs.environment ?? "") === PRODUCTION_ENVIRONMENT ||
      targetsProduction(expand(command, env))
    );
  }

  const command = expand((step.run ?? "").replace(/\\\n\s*/g, " "), env);
  if (targetsProduction(command)) return true;
  if (WRANGLER_CHANGE.test(command) && env.CLOUDFLARE_ENV === PRODUCTION_ENVIRONMENT) return true;
  // A migration's target is its DATABASE_URL: one taken from a secret or
  // variable named for production is production's.
  if (MIGRATE.test(command)) {
    return Object.entries(env).some(
      ([name, value]) => /DATABASE_URL/.test(name) && /production/i.test(value),
    );
  }
  return false;
}

function targetsProduction(command: string): boolean {
  return command
    .split("\n")
    .some(
      (line) =>
        PRODUCTION_ENV_FLAG.test(line) ||
        (/\bwrangler\s/.test(line) && PRODUCTION_SHORT_FLAG.test(line)),
    );
}

/** Substitutes `$NAME` and `${NAME}` with values the YAML sets. */
function expand(command: string, env: Record<string, string>): string {
  return command.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const value = env[braced ?? bare ?? ""];
    return value === undefined ? whole : value;
  });
}

function envOf(holder: { env?: Env }): Record<string, string> {
  const env: Record<string, string> = {};
  if (!holder.env || typeof holder.env !== "object") return env;
  for (const [name, value] of Object.entries(holder.env)) env[name] = String(value);
  return env;
}

export function environmentName(job: Job): string | undefined {
  return typeof job.environment === "string" ? job.environment : job.environment?.name;
}
