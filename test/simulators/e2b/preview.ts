/**
 * A sandbox port as the browser sees it. A port answers only once the dev
 * server "listens" on it; before that the E2B edge answers 502, as it does
 * for a closed port. The page is plainly labelled as simulated. Like a dev
 * server, the app logs each request it answers to its own output.
 */
import type { ServerResponse } from "node:http";
import type { SimSandbox, SimulatorState } from "./state.ts";

export function handlePreview(options: {
  state: SimulatorState;
  sandboxId: string;
  port: number;
  path: string;
  response: ServerResponse;
}) {
  const { response, port } = options;
  const sandbox = options.state.live(options.sandboxId);
  const openAt = sandbox?.openPorts.get(port);

  if (!sandbox || openAt === undefined || Date.now() < openAt) {
    response.writeHead(502, { "content-type": "text/plain; charset=utf-8" });
    response.end(sandbox ? `Closed port: nothing listens on port ${port}` : "Sandbox not found");
    return;
  }
  response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  response.end(page(sandbox, port));
  sandbox.serverOutput.get(port)?.(`GET ${options.path} 200\n`);
}

function page(sandbox: SimSandbox, port: number): string {
  const heading = findHeading(sandbox) ?? "Your app";
  const files = [...sandbox.files.keys()].map(
    (path) => `<li><code>${escapeHtml(path)}</code></li>`,
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(heading)}</title>
<style>body{font-family:system-ui,sans-serif;padding:2rem}small{color:#666}</style></head>
<body><h1>${escapeHtml(heading)}</h1>
<p data-testid="simulated-sandbox">Served by the E2B simulator from sandbox <code>${sandbox.id}</code>, port ${port} (template <code>${escapeHtml(sandbox.templateId)}</code>).</p>
<small>Files written:</small><ul>${files.join("")}</ul></body></html>`;
}

/** The first `<h1>` text in the app's files, so the page resembles what was asked for. */
function findHeading(sandbox: SimSandbox): string | undefined {
  for (const content of sandbox.files.values()) {
    const match = /<h1[^>]*>([^<{]+)<\/h1>/.exec(content);
    if (match?.[1]) return match[1].trim();
  }
  return undefined;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
