/**
 * The workflow check (`npm run check:workflows`) passes the repository's
 * workflows and fails each kind of breakage: bad YAML, a schema or
 * expression error, and a release gate taken away. The broken variants are
 * made from the real files, so the check is shown to guard what ships.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflow text holds GitHub and shell expressions.
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { projectRoot } from "../../local/stack.ts";
import { lintWorkflow } from "../../scripts/workflows/lint.ts";

const run = promisify(execFile);

const WORKFLOWS = [
  "ci.yml",
  "deploy-staging.yml",
  "deploy-production.yml",
  "rollback-production.yml",
];

function source(name: string): Promise<string> {
  return readFile(join(projectRoot, ".github", "workflows", name), "utf8");
}

async function problemsAfter(name: string, change: (text: string) => string): Promise<string[]> {
  const original = await source(name);
  const changed = change(original);
  expect(changed, "the change must apply to the real file").not.toBe(original);
  const problems = await lintWorkflow(`.github/workflows/${name}`, changed);
  return problems.map((problem) => problem.message);
}

describe("workflow check", { timeout: 60_000 }, () => {
  it.each(WORKFLOWS)("passes %s as committed", async (name) => {
    expect(await lintWorkflow(`.github/workflows/${name}`, await source(name))).toEqual([]);
  });

  it("fails a file that is not valid YAML", async () => {
    const problems = await problemsAfter("ci.yml", (text) =>
      text.replace("jobs:\n", "jobs:\n  static: [unclosed\n"),
    );
    expect(problems.join("\n")).toMatch(/yaml|could not parse|syntax/i);
  });

  it("fails an unknown trigger, a job that needs a missing job, and a bad expression", async () => {
    expect(
      (
        await problemsAfter("ci.yml", (text) => text.replace("pull_request:", "pull_requests:"))
      ).join(),
    ).toMatch(/unknown Webhook event "pull_requests"/);

    expect(
      (
        await problemsAfter("deploy-staging.yml", (text) =>
          text.replace("needs: checks", "needs: check"),
        )
      ).join(),
    ).toMatch(/needs job "check" which does not exist/);

    expect(
      (
        await problemsAfter("deploy-production.yml", (text) =>
          text.replace("inputs.canary_percent }}", "inputs.canary_percentage }}"),
        )
      ).join(),
    ).toMatch(/canary_percentage/);
  });

  it("fails when production could deploy without the protected environment", async () => {
    const problems = await problemsAfter("deploy-production.yml", (text) =>
      text.replace(
        "before this runs.\n    environment:\n      name: production\n",
        "before this runs.\n    environment:\n      name: staging\n",
      ),
    );
    expect(problems).toContain(
      'deploy-production.yml: job "promote" touches production outside the protected environment',
    );
  });

  it("fails when production deploys on a push, or skips the canary percentage", async () => {
    const pushed = await problemsAfter("deploy-production.yml", (text) =>
      text.replace(
        "on:\n  workflow_dispatch:",
        "on:\n  push:\n    branches: [main]\n  workflow_dispatch:",
      ),
    );
    expect(pushed.join()).toMatch(/must run only on workflow_dispatch/);

    const allAtOnce = await problemsAfter("deploy-production.yml", (text) =>
      text.replace('"${NEW_VERSION}@${CANARY_PERCENT}%"', '"${NEW_VERSION}@100%"'),
    );
    expect(allAtOnce.join()).toMatch(/at a percentage first/);
  });

  it("fails when staging deploys before migrating, or CI loses its PostgreSQL service", async () => {
    const unmigrated = await problemsAfter("deploy-staging.yml", (text) =>
      text.replace("run: npm run db:migrate", "run: echo skipped"),
    );
    expect(unmigrated.join()).toMatch(/db:migrate` before it deploys/);

    const noPostgres = await problemsAfter("ci.yml", (text) =>
      text.replace("image: postgres:16", "image: mysql:8"),
    );
    expect(noPostgres.join()).toMatch(/PostgreSQL service container/);
  });

  it("exits non-zero from the command line for a broken workflow", async () => {
    const scratch = await mkdtemp(join(tmpdir(), "kiln-workflows-"));
    try {
      await mkdir(join(scratch, ".github", "workflows"), { recursive: true });
      await writeFile(
        join(scratch, ".github", "workflows", "broken.yml"),
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n",
      );
      const tsx = join(projectRoot, "node_modules", ".bin", "tsx");
      const failure = await run(tsx, [
        join(projectRoot, "scripts", "check-workflows.ts"),
        scratch,
      ]).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toMatch(/broken\.yml:6: property "nope" is not defined/);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

/** A workflow other than the two production ones, with one job and the given step. */
function sideWorkflow(options: { on: string; environment?: string; env?: string; step: string }) {
  return [
    "name: Side door",
    `on: ${options.on}`,
    "permissions:\n  contents: read",
    "jobs:",
    "  ship:",
    "    runs-on: ubuntu-24.04",
    "    timeout-minutes: 5",
    ...(options.environment ? [`    environment: ${options.environment}`] : []),
    ...(options.env ? ["    env:", `      ${options.env}`] : []),
    "    steps:",
    "      - uses: actions/checkout@v4",
    options.step,
    "",
  ].join("\n");
}

describe("production steps in any workflow", { timeout: 60_000 }, () => {
  const PRODUCTION_STEPS: Array<[string, { step: string; env?: string }]> = [
    ["--env production", { step: "      - run: npx wrangler deploy --env production" }],
    ["--env=production", { step: "      - run: npx wrangler deploy --env=production" }],
    ["-e production", { step: "      - run: npx wrangler versions upload -e production" }],
    ["-e=production", { step: "      - run: npx wrangler rollback -e=production --yes" }],
    [
      "CLOUDFLARE_ENV=production",
      { step: "      - run: CLOUDFLARE_ENV=production npx wrangler deploy" },
    ],
    [
      "CLOUDFLARE_ENV in the job's env",
      {
        step: "      - run: npx wrangler versions deploy v1@100% --yes",
        env: "CLOUDFLARE_ENV: production",
      },
    ],
    [
      "a secret put through a variable",
      {
        step: '      - run: echo "$KEY" | npx wrangler secret put OPENAI_API_KEY --env "$TARGET"',
        env: "TARGET: production",
      },
    ],
    [
      "a continued line",
      {
        step: "      - run: |\n          npx wrangler versions deploy \\\n            --env production --yes",
      },
    ],
    [
      "production migrations",
      {
        step: "      - run: npm run db:migrate\n        env:\n          DATABASE_URL: ${{ secrets.PRODUCTION_DATABASE_URL }}",
      },
    ],
    [
      "wrangler-action",
      {
        step: "      - uses: cloudflare/wrangler-action@v3\n        with:\n          apiToken: ${{ secrets.CLOUDFLARE_API_TOKEN }}\n          command: deploy --env production",
      },
    ],
  ];

  it.each(PRODUCTION_STEPS)("fails %s outside the protected environment", async (_, variant) => {
    const text = sideWorkflow({ on: "workflow_dispatch", ...variant });
    const problems = (await lintWorkflow(".github/workflows/side.yml", text)).map(
      (problem) => problem.message,
    );
    expect(problems).toContain(
      'side.yml: job "ship" touches production outside the protected environment',
    );
  });

  it.each(["push", "pull_request", "pull_request_target"])(
    "fails a production step on %s, even in the protected environment",
    async (trigger) => {
      const text = sideWorkflow({
        on: trigger,
        environment: "production",
        step: "      - run: npx wrangler deploy --env=production",
      });
      const problems = (await lintWorkflow(".github/workflows/side.yml", text)).map(
        (problem) => problem.message,
      );
      expect(problems.join("\n")).toMatch(
        new RegExp(`job "ship" touches production in a workflow started by ${trigger}`),
      );
    },
  );

  it("passes a production step run by hand in the protected environment, and staging anywhere", async () => {
    const gated = sideWorkflow({
      on: "workflow_dispatch",
      environment: "production",
      step: "      - run: npx wrangler deploy -e production",
    });
    expect(await lintWorkflow(".github/workflows/side.yml", gated)).toEqual([]);

    const staging = sideWorkflow({
      on: "push",
      step: "      - run: |\n          npx wrangler deploy --env staging\n          grep -e production wrangler.toml",
    });
    expect(await lintWorkflow(".github/workflows/side.yml", staging)).toEqual([]);
  });

  it("fails a production rollback moved into ci.yml", async () => {
    const problems = await problemsAfter("ci.yml", (text) =>
      text.replace(
        "      - run: npm run typecheck\n",
        "      - run: npm run typecheck\n      - run: npx wrangler rollback -e=production --yes\n",
      ),
    );
    expect(problems.join("\n")).toMatch(
      /ci\.yml: job "\w+" touches production outside the protected environment/,
    );
    expect(problems.join("\n")).toMatch(/started by pull_request/);
  });
});

type ProductionWorkflow = {
  jobs: Record<
    string,
    { if?: string; steps: Array<{ id?: string; name?: string; if?: string; run?: string }> }
  >;
};

/**
 * Runs the canary job's "Record the version serving traffic now" step with
 * bash, `npx` answering as wrangler does against the Cloudflare API (the
 * network edge), and returns what the step wrote for the later steps.
 */
async function recordCurrentVersion(wrangler: {
  exitCode: number;
  stdout: string;
  stderr: string;
}) {
  const workflow = parseYaml(await source("deploy-production.yml")) as ProductionWorkflow;
  const step = workflow.jobs.canary?.steps.find((candidate) => candidate.id === "current");
  expect(step?.run).toBeDefined();

  const scratch = await mkdtemp(join(tmpdir(), "kiln-first-deploy-"));
  try {
    await writeFile(join(scratch, "stdout"), wrangler.stdout);
    await writeFile(join(scratch, "stderr"), wrangler.stderr);
    await writeFile(
      join(scratch, "npx"),
      `#!/bin/sh\ncat "${scratch}/stdout"\ncat "${scratch}/stderr" >&2\nexit ${wrangler.exitCode}\n`,
    );
    await chmod(join(scratch, "npx"), 0o755);
    await writeFile(join(scratch, "output"), "");
    await writeFile(join(scratch, "summary"), "");

    const result = await run("bash", ["-eo", "pipefail", "-c", step?.run ?? ""], {
      env: {
        PATH: `${scratch}:${process.env.PATH}`,
        RUNNER_TEMP: scratch,
        GITHUB_OUTPUT: join(scratch, "output"),
        GITHUB_STEP_SUMMARY: join(scratch, "summary"),
      },
    }).then(
      () => 0,
      (error: { code: number }) => error.code,
    );
    return {
      exitCode: result,
      output: await readFile(join(scratch, "output"), "utf8"),
      summary: await readFile(join(scratch, "summary"), "utf8"),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

describe("the first production deploy", () => {
  it("records the version serving now when production already runs", async () => {
    const recorded = await recordCurrentVersion({
      exitCode: 0,
      stdout: JSON.stringify({ versions: [{ version_id: "v-old", percentage: 100 }] }),
      stderr: "",
    });
    expect(recorded.exitCode).toBe(0);
    expect(recorded.output).toContain("version_id=v-old");
    expect(recorded.output).toContain("first_deploy=false");
  });

  it("goes on as a first deploy when no production Worker exists yet, and says so", async () => {
    const recorded = await recordCurrentVersion({
      exitCode: 1,
      stdout: "",
      stderr:
        "✘ [ERROR] A request to the Cloudflare API (/accounts/x/workers/scripts/kiln-production/deployments) failed.\n" +
        "  This Worker does not exist on your account. [code: 10007]\n",
    });
    expect(recorded.exitCode).toBe(0);
    expect(recorded.output).toContain("first_deploy=true");
    expect(recorded.summary).toMatch(/first deploy/);
  });

  it("still fails on any other wrangler error", async () => {
    const recorded = await recordCurrentVersion({
      exitCode: 1,
      stdout: "",
      stderr: "✘ [ERROR] Authentication error [code: 10000]\n",
    });
    expect(recorded.exitCode).not.toBe(0);
    expect(recorded.output).not.toContain("first_deploy=true");
  });

  it("ships a first deploy with `wrangler deploy` (migrations included) and skips the canary", async () => {
    const workflow = parseYaml(await source("deploy-production.yml")) as ProductionWorkflow;
    const steps = workflow.jobs.canary?.steps ?? [];
    const atOnce = steps.find((step) => /wrangler deploy --env production/.test(step.run ?? ""));
    const upload = steps.find((step) => /wrangler versions upload/.test(step.run ?? ""));
    expect(atOnce?.if).toMatch(/first_deploy == 'true'/);
    expect(upload?.if).toMatch(/first_deploy != 'true'/);
    expect(workflow.jobs.promote?.if).toMatch(/first_deploy != 'true'/);
  });
});
