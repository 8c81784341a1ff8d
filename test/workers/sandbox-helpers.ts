/** Drives `/api/sandbox` the way the SPA does, and talks to the E2B simulator's test routes. */
import { env } from "cloudflare:test";
import { EventSourceParserStream } from "eventsource-parser/stream";
import type {
  SandboxCreateRequest,
  SandboxSettingsOverride,
  SandboxStreamEvent,
} from "../../contract/sandbox.ts";
import { api, signIn } from "./helpers.ts";

export async function readSandboxEvents(response: Response): Promise<SandboxStreamEvent[]> {
  if (!response.body) throw new Error("response has no body");
  const events: SandboxStreamEvent[] = [];
  const stream = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream());
  for await (const message of stream) events.push(JSON.parse(message.data) as SandboxStreamEvent);
  return events;
}

export async function runSandbox(token: string, body: SandboxCreateRequest) {
  const response = await api("/api/sandbox", { token, body });
  if (response.status !== 200)
    throw new Error(`sandbox run: ${response.status} ${await response.text()}`);
  return readSandboxEvents(response);
}

export function last<T extends SandboxStreamEvent["type"]>(
  events: SandboxStreamEvent[],
  type: T,
): Extract<SandboxStreamEvent, { type: T }> | undefined {
  return events.findLast((event) => event.type === type) as
    | Extract<SandboxStreamEvent, { type: T }>
    | undefined;
}

export function logText(events: SandboxStreamEvent[]): string {
  return events
    .map((event) => (event.type === "log" ? `${event.line.stream}: ${event.line.text}` : ""))
    .filter(Boolean)
    .join("\n");
}

export async function injectFaults(teamId: string, faults: string[], startDelayMs?: number) {
  const response = await fetch(`${env.E2B_SANDBOX_URL}/_simulator/faults`, {
    method: "POST",
    body: JSON.stringify({ teamId, faults, ...(startDelayMs ? { startDelayMs } : {}) }),
  });
  if (!response.ok) throw new Error(`simulator faults: ${await response.text()}`);
}

export type SimulatedSandbox = {
  alive: boolean;
  envVars: Record<string, string>;
  metadata: Record<string, string>;
  files: string[];
  processes: {
    pid: number;
    cmd: string;
    state: string;
    exitCode?: number;
    connectTimeoutMs?: number;
  }[];
};

/** The E2B id of a sandbox, read off its preview URL or failure-free view via the simulator. */
export function e2bIdFromUrl(url: string | null | undefined): string {
  return /\/\/\d+-(sim[0-9a-f]+)\./.exec(url ?? "")?.[1] ?? "";
}

export async function simulatedSandbox(e2bId: string): Promise<SimulatedSandbox> {
  const response = await fetch(`${env.E2B_SANDBOX_URL}/_simulator/sandboxes/${e2bId}`);
  return response.json();
}

/** Sets the operator settings in KV through the ops route (ops@example.com is an operator locally). */
export async function setSandboxSettings(settings: SandboxSettingsOverride) {
  const operator = await signIn("ops@example.com");
  const response = await api("/api/sandbox/settings", {
    token: operator.access_token,
    method: "PUT",
    body: settings,
  });
  if (response.status !== 200) throw new Error(`settings: ${await response.text()}`);
}

export const REACT_APP: SandboxCreateRequest = {
  template: "vite-react",
  files: [
    {
      path: "src/App.tsx",
      content: "export default function App() {\n  return <h1>Counter in a sandbox</h1>;\n}\n",
    },
  ],
};

export const NEXT_APP: SandboxCreateRequest = {
  template: "nextjs",
  files: [
    {
      path: "app/page.tsx",
      content: "export default function Page() {\n  return <h1>Next.js in a sandbox</h1>;\n}\n",
    },
  ],
};

export const PYTHON_RUN: SandboxCreateRequest = {
  template: "python",
  files: [
    {
      path: "main.py",
      content: [
        "import sys",
        "import matplotlib.pyplot as plt",
        'print("Monthly sales")',
        'print("two months only", file=sys.stderr)',
        "plt.bar(['Jan', 'Feb'], [120, 135])",
        "plt.show()",
        "df",
      ].join("\n"),
    },
  ],
};
