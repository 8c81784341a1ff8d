/**
 * CPU profiles of the Worker and its Durable Objects through workerd's own
 * inspector (the Chrome DevTools protocol over a WebSocket), and a summary
 * of where the time went: self time per function, heaviest first. The
 * `.cpuprofile` written beside it opens in Chrome DevTools.
 */
import { writeFile } from "node:fs/promises";
import { WebSocket } from "undici";

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; startTime: number; endTime: number };

/** The DevTools WebSocket of the user worker, from the inspector's /json/list. */
export async function workerDebuggerUrl(inspectorPort: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${inspectorPort}/json/list`);
  const targets = (await response.json()) as { id: string; webSocketDebuggerUrl: string }[];
  const target = targets.find((entry) => entry.id.startsWith("core:user:")) ?? targets[0];
  if (!target) throw new Error(`no inspector target on port ${inspectorPort}`);
  return target.webSocketDebuggerUrl;
}

/** Profiles the worker while `work` runs. */
export async function profileWhile(options: {
  debuggerUrl: string;
  work: () => Promise<unknown>;
  samplingIntervalUs?: number;
}): Promise<Profile> {
  const socket = new WebSocket(options.debuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });

  let nextId = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });

  try {
    await call("Profiler.enable");
    await call("Profiler.setSamplingInterval", { interval: options.samplingIntervalUs ?? 200 });
    await call("Profiler.start");
    await options.work();
    const { profile } = (await call("Profiler.stop")) as { profile: Profile };
    return profile;
  } finally {
    socket.close();
  }
}

/** Self time per function, heaviest first, as percentages of all samples. */
export function heaviestFunctions(profile: Profile, top = 15) {
  const totals = new Map<string, number>();
  let all = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    all += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.split("/").slice(-2).join("/");
    const key = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
    totals.set(key, (totals.get(key) ?? 0) + hits);
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, hits]) => ({ name, percent: Math.round((hits / Math.max(1, all)) * 1000) / 10 }));
}

export async function saveProfile(profile: Profile, path: string): Promise<void> {
  await writeFile(path, JSON.stringify(profile));
}
