/**
 * Finds the workerd processes the local stack started (descendants of this
 * process) and samples their resident memory from /proc, which is what the
 * operating system charges workerd for, heap and buffers alike.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

type ProcessInfo = { pid: number; parent: number; name: string };

function listProcesses(): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The name sits in parentheses and may itself hold spaces.
      const close = stat.lastIndexOf(")");
      const name = stat.slice(stat.indexOf("(") + 1, close);
      const parent = Number(stat.slice(close + 2).split(" ")[1]);
      processes.push({ pid: Number(entry), parent, name });
    } catch {
      // The process ended while we looked.
    }
  }
  return processes;
}

/** The pids of every `workerd` below `root` in the process tree. */
export function findWorkerdPids(root: number = process.pid): number[] {
  const processes = listProcesses();
  const byPid = new Map(processes.map((info) => [info.pid, info]));
  const descends = (info: ProcessInfo): boolean => {
    for (let current = byPid.get(info.parent); current; current = byPid.get(current.parent)) {
      if (current.pid === root) return true;
    }
    return false;
  };
  return processes
    .filter((info) => info.name === "workerd" && descends(info))
    .map((info) => info.pid);
}

/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ is 100 on every mainstream build). */
const TICKS_PER_SECOND = 100;

/** CPU time (user and system) the processes have used so far, in ms; a gone process counts 0. */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime and stime: fields 14 and 15 of /proc/<pid>/stat, the 12th and 13th after the name.
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended while we looked.
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/**
 * What workerd spent while `work` ran: CPU ms, and its share of the wall
 * time (1 = one core busy throughout; the isolate runs on one thread).
 */
export async function withWorkerdCpu<T>(
  work: () => Promise<T>,
): Promise<{ result: T; cpuMs: number; wallMs: number; busyShare: number }> {
  const pids = findWorkerdPids();
  const cpuBefore = cpuMs(pids);
  const startedAt = performance.now();
  const result = await work();
  const wallMs = performance.now() - startedAt;
  const spent = cpuMs(pids) - cpuBefore;
  return { result, cpuMs: spent, wallMs, busyShare: wallMs > 0 ? spent / wallMs : 0 };
}

/** Resident set size in MB, or NaN when the process is gone. */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export type RssSampler = {
  stop(): { baselineMb: number; peakMb: number; endMb: number; samples: number };
};

/** Samples the summed RSS of `pids` every `intervalMs` until stopped. */
export function sampleRss(pids: number[], intervalMs = 20): RssSampler {
  const total = () => pids.reduce((sum, pid) => sum + rssMb(pid), 0);
  const baselineMb = total();
  let peakMb = baselineMb;
  let samples = 1;
  const timer = setInterval(() => {
    peakMb = Math.max(peakMb, total());
    samples += 1;
  }, intervalMs);

  return {
    stop() {
      clearInterval(timer);
      const endMb = total();
      return { baselineMb, peakMb: Math.max(peakMb, endMb), endMb, samples };
    },
  };
}

/** The ports a process listens on, from `ss` (iproute2). */
function listeningPorts(pid: number): number[] {
  const output = execFileSync("ss", ["-ltnpH"], { encoding: "utf8" });
  const ports: number[] = [];
  for (const line of output.split("\n")) {
    if (!line.includes(`pid=${pid},`)) continue;
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1] ?? /:(\d+)\s/.exec(line)?.[1]);
    if (Number.isInteger(port) && port > 0) ports.push(port);
  }
  return ports;
}

export type UserWorker = { pid: number; entryUrl: string; inspectorPort: number | undefined };

/**
 * `wrangler dev` runs two workerd processes: a proxy on the public port and
 * the user worker behind it (the one started with an inspector). Production
 * has no such proxy, so the benchmark talks to the user worker's entry
 * socket directly; its inspector is where CPU profiles come from.
 */
export async function findUserWorker(): Promise<UserWorker> {
  for (const pid of findWorkerdPids()) {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (!commandLine.includes("--inspector-addr")) continue;

    let entryUrl: string | undefined;
    let inspectorPort: number | undefined;
    for (const port of listeningPorts(pid)) {
      const url = `http://127.0.0.1:${port}`;
      const health = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) }).catch(
        () => undefined,
      );
      const text = (await health?.text().catch(() => "")) ?? "";
      if (text.startsWith("{") && text.includes('"dependencies"')) entryUrl = url;
      else if (text.includes("Not yet implemented")) inspectorPort = port;
    }
    if (entryUrl) return { pid, entryUrl, inspectorPort };
  }
  throw new Error("could not find the user worker's workerd entry socket");
}
