/**
 * What each of Kiln's workflows must gate, checked on the parsed YAML so a
 * change that quietly drops a gate fails CI:
 * - ci.yml runs on pull requests and can be called by the deploys; it has
 *   lint, typecheck, build, tests, a PostgreSQL service and Debian's Chromium;
 * - deploy-staging.yml runs on pushes to main, after the CI jobs, and
 *   migrates the database before it deploys;
 * - deploy-production.yml and rollback-production.yml run only by hand, and
 *   every job that touches production names the protected environment;
 *   production ships as a Workers version at a percentage, then 100 %.
 * Every job of every workflow has a timeout, and in every workflow a step
 * that touches production is gated (`production.ts`).
 */
import { productionProblems } from "./production.ts";

export type Step = {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
};
export type Job = {
  needs?: string | string[];
  uses?: string;
  environment?: string | { name: string };
  "timeout-minutes"?: number;
  services?: Record<string, { image: string }>;
  container?: string | { image: string };
  env?: Record<string, unknown>;
  steps?: Step[];
};
export type Workflow = {
  on?: string | string[] | Record<string, unknown>;
  permissions?: unknown;
  env?: Record<string, unknown>;
  jobs?: Record<string, Job>;
};

export function workflowPolicyProblems(file: string, workflow: Workflow): string[] {
  const problems: string[] = [];
  const jobs = Object.entries(workflow.jobs ?? {});
  const triggers = triggerNames(workflow.on);

  if (workflow.permissions === undefined) {
    problems.push("set top-level `permissions` (least privilege for GITHUB_TOKEN)");
  }
  for (const [id, job] of jobs) {
    if (!job.uses && job["timeout-minutes"] === undefined) {
      problems.push(`job "${id}" has no timeout-minutes`);
    }
  }

  problems.push(...productionProblems({ file, workflow, triggers }));
  const rules = RULES[file];
  if (rules) problems.push(...rules({ jobs, triggers }));
  return problems;
}

type Context = { jobs: Array<[string, Job]>; triggers: string[] };

const RULES: Record<string, (context: Context) => string[]> = {
  "ci.yml": ({ jobs, triggers }) => {
    const problems = requireTriggers(triggers, ["pull_request", "workflow_call"]);
    const commands = jobs.map(([, job]) => scripts(job)).join("\n");
    for (const [gate, pattern] of CI_GATES) {
      if (!pattern.test(commands)) problems.push(`ci.yml no longer runs ${gate}`);
    }
    if (!jobs.some(([, job]) => Object.values(job.services ?? {}).some(isPostgres))) {
      problems.push("ci.yml needs a job with a PostgreSQL service container");
    }
    if (!jobs.some(([, job]) => /apt-get install[^\n]*\bchromium\b/.test(scripts(job)))) {
      problems.push("ci.yml must install Debian's Chromium for the browser test");
    }
    return problems;
  },

  "deploy-staging.yml": ({ jobs, triggers }) => {
    const problems = requireTriggers(triggers, ["push"]);
    problems.push(...requireCiFirst("deploy-staging.yml", jobs));
    const deploy = jobs.find(([, job]) => /wrangler deploy --env staging/.test(scripts(job)));
    if (!deploy) return [...problems, "deploy-staging.yml must `wrangler deploy --env staging`"];
    if (!migratesBefore(deploy[1], /wrangler deploy/)) {
      problems.push("deploy-staging.yml must run `npm run db:migrate` before it deploys");
    }
    return problems;
  },

  "deploy-production.yml": ({ jobs, triggers }) => {
    const problems = manualOnly("deploy-production.yml", triggers);
    problems.push(...requireCiFirst("deploy-production.yml", jobs));

    const all = jobs.map(([, job]) => scripts(job)).join("\n");
    if (!/wrangler versions upload --env production/.test(all)) {
      problems.push("deploy-production.yml must upload a version (`wrangler versions upload`)");
    }
    if (!/wrangler versions deploy [^\n]*@\$\{?\w+\}?%/.test(all)) {
      problems.push("deploy-production.yml must deploy the version at a percentage first");
    }
    if (!/@100%/.test(all)) problems.push("deploy-production.yml must promote the version to 100%");
    const upload = jobs.find(([, job]) => /wrangler versions upload/.test(scripts(job)));
    if (upload && !migratesBefore(upload[1], /wrangler versions upload/)) {
      problems.push("deploy-production.yml must run `npm run db:migrate` before the upload");
    }
    return problems;
  },

  "rollback-production.yml": ({ triggers }) => manualOnly("rollback-production.yml", triggers),
};

const CI_GATES: Array<[string, RegExp]> = [
  ["lint", /npm run lint/],
  ["typecheck", /npm run typecheck/],
  ["the workflow check", /npm run check:workflows/],
  ["the build", /npm run build/],
  ["the unit tests", /--project unit/],
  ["the workerd tests", /--project workers/],
  ["the production bundle test", /--project deploy/],
  ["the browser test", /--project browser/],
];

function triggerNames(on: Workflow["on"]): string[] {
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on;
  return Object.keys(on ?? {});
}

function requireTriggers(triggers: string[], required: string[]): string[] {
  return required
    .filter((trigger) => !triggers.includes(trigger))
    .map((trigger) => `must run on \`${trigger}\``);
}

function manualOnly(file: string, triggers: string[]): string[] {
  return triggers.length === 1 && triggers[0] === "workflow_dispatch"
    ? []
    : [`${file} must run only on workflow_dispatch (by hand), not on ${triggers.join(", ")}`];
}

/** Every deploying job waits, directly or through another job, for the CI workflow. */
function requireCiFirst(file: string, jobs: Array<[string, Job]>): string[] {
  const ciJob = jobs.find(([, job]) => job.uses === "./.github/workflows/ci.yml")?.[0];
  if (!ciJob) return [`${file} must call ./.github/workflows/ci.yml before deploying`];

  const byId = new Map(jobs);
  const waitsForCi = (id: string, seen = new Set<string>()): boolean => {
    if (id === ciJob) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return needsOf(byId.get(id)).some((need) => waitsForCi(need, seen));
  };
  return jobs
    .filter(([id, job]) => id !== ciJob && /wrangler/.test(scripts(job)) && !waitsForCi(id))
    .map(([id]) => `${file}: job "${id}" deploys without waiting for the CI jobs`);
}

function migratesBefore(job: Job, deploy: RegExp): boolean {
  const steps = job.steps ?? [];
  const migrate = steps.findIndex((step) => /npm run db:migrate/.test(step.run ?? ""));
  const release = steps.findIndex((step) => deploy.test(step.run ?? ""));
  return migrate !== -1 && migrate < release;
}

function needsOf(job: Job | undefined): string[] {
  if (!job?.needs) return [];
  return Array.isArray(job.needs) ? job.needs : [job.needs];
}

/** The job's shell commands, with backslash-continued lines joined into one. */
function scripts(job: Job): string {
  return (job.steps ?? [])
    .map((step) => step.run ?? "")
    .join("\n")
    .replace(/\\\n\s*/g, " ");
}

function isPostgres(service: { image: string }): boolean {
  return /^postgres(:|$)/.test(service.image);
}
