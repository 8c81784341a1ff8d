/**
 * Finds the workerd processes the local stack started (descendants of this
 * process) and samples their resident memory from /proc, which is what the
 * operating system charges workerd for, heap and buffers alike.
 */
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
