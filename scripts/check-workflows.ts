/**
 * `npm run check:workflows` (CI): every file in `.github/workflows/` passes
 * actionlint and Kiln's release rules. Takes a folder to check another tree.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { lintWorkflow, type WorkflowProblem } from "./workflows/lint.ts";

const root = process.argv[2] ?? fileURLToPath(new URL("..", import.meta.url));
const folder = join(root, ".github", "workflows");
const files = (await readdir(folder)).filter((name) => /\.ya?ml$/.test(name)).sort();

const problems: WorkflowProblem[] = [];
for (const name of files) {
  const path = join(folder, name);
  problems.push(...(await lintWorkflow(relative(root, path), await readFile(path, "utf8"))));
}

if (files.length === 0) {
  console.error(`check:workflows: no workflows in ${folder}`);
  process.exitCode = 1;
} else if (problems.length === 0) {
  console.log(`check:workflows: ${files.length} workflows valid (${files.join(", ")})`);
} else {
  for (const problem of problems)
    console.error(`${problem.path}:${problem.line}: ${problem.message}`);
  process.exitCode = 1;
}
// The WebAssembly actionlint keeps the event loop alive; the result is already printed.
process.exit();
