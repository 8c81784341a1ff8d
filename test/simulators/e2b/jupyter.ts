/**
 * The code interpreter's Jupyter front (port 49999): `POST /execute` answers
 * newline-delimited JSON. The "kernel" understands just enough Python for
 * Kiln's demos: `print(...)` of a string literal (to stderr with
 * `file=sys.stderr`), `raise Name("...")`, a matplotlib `plt.show()` (a PNG
 * chart result) and a final bare `df` (an HTML table result).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { barChartPng } from "./chart-png.ts";
import { readBody, sendError } from "./http.ts";
import type { SimulatorState } from "./state.ts";

type Line = Record<string, unknown> & { type: string };

export async function handleJupyter(options: {
  state: SimulatorState;
  sandboxId: string | undefined;
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
}): Promise<void> {
  const { state, request, response, url } = options;
  const sandbox = state.live(options.sandboxId);
  if (!sandbox) return sendError(response, 502, "The sandbox was not found");
  if (url.pathname !== "/execute") return sendError(response, 404, "not simulated");

  const body = JSON.parse((await readBody(request)).toString("utf8")) as { code?: string };
  response.writeHead(200, { "content-type": "application/x-ndjson" });
  const write = (line: Line) => response.write(`${JSON.stringify(line)}\n`);

  if (sandbox.faults.names.has("command-hangs")) {
    write({ type: "stdout", text: "Working…\n", timestamp: new Date().toISOString() });
    return; // Never ends: only the client's timeout stops it.
  }

  for (const line of interpret(body.code ?? "")) write(line);
  write({ type: "number_of_executions", execution_count: 1 });
  write({ type: "end_of_execution" });
  response.end();
}

function interpret(code: string): Line[] {
  const lines: Line[] = [];
  const timestamp = new Date().toISOString();

  for (const source of code.split("\n")) {
    const printed = /^\s*print\(\s*f?(["'])(.*?)\1\s*(,\s*file\s*=\s*sys\.stderr\s*)?\)/.exec(
      source,
    );
    if (printed) {
      lines.push({ type: printed[3] ? "stderr" : "stdout", text: `${printed[2]}\n`, timestamp });
      continue;
    }
    const raised = /^\s*raise\s+(\w+)\(\s*(["'])(.*?)\2\s*\)/.exec(source);
    if (raised) {
      lines.push({
        type: "error",
        name: raised[1],
        value: raised[3],
        traceback: `Traceback (most recent call last):\n  Cell In[1]\n${raised[1]}: ${raised[3]}`,
      });
      return lines;
    }
    if (/^\s*plt\.show\(\)/.test(source)) {
      lines.push({
        type: "result",
        is_main_result: false,
        text: "<Figure size 640x480 with 1 Axes>",
        png: barChartPng([0.35, 0.6, 0.9, 0.5, 0.75]),
      });
    }
  }

  if (/^df\s*$/m.test(code.trimEnd().split("\n").at(-1) ?? "")) {
    lines.push({
      type: "result",
      is_main_result: true,
      text: "   month  sales\n0    Jan    120\n1    Feb    135",
      html: "<table><thead><tr><th>month</th><th>sales</th></tr></thead><tbody><tr><td>Jan</td><td>120</td></tr><tr><td>Feb</td><td>135</td></tr></tbody></table>",
    });
  }
  return lines;
}
