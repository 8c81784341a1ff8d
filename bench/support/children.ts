/**
 * The benchmark's helper processes: the load generator, the database and
 * the provider simulator, each a Node child speaking IPC, so the
 * orchestrator can pause the database (Postgres stopped) and keep load
 * generation and the simulator off its own event loop and heap.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LoadJob } from "../load/jobs.ts";

const TSX = ["--import", "tsx"];

function forkTs(path: string, execArgv: string[] = []): ChildProcess {
  return fork(fileURLToPath(new URL(path, import.meta.url)), [], {
    execArgv: [...TSX, ...execArgv],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

function firstMessage<T>(child: ChildProcess, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("child did not report in time")), timeoutMs);
    child.once("message", (message) => {
      clearTimeout(timer);
      resolve(message as T);
    });
    child.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGCONT");
    child.kill("SIGTERM");
  });
}

export type LoadProcess = {
  pid: number;
  run<T>(job: LoadJob): Promise<T>;
  stop(): Promise<void>;
};

export async function startLoadProcess(): Promise<LoadProcess> {
  const child = forkTs("../load/main.ts");
  await firstMessage(child, 30_000);

  let nextId = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  child.on("message", (message: { id: number; result?: unknown; error?: string }) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error !== undefined) waiter.reject(new Error(message.error));
    else waiter.resolve(message.result);
  });
  child.on("exit", (code) => {
    for (const waiter of pending.values())
      waiter.reject(new Error(`load process exited (${code})`));
    pending.clear();
  });

  return {
    pid: child.pid ?? 0,
    run<T>(job: LoadJob) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, job });
      });
    },
    stop: () => stopChild(child),
  };
}

export type DatabaseProcess = {
  url: string;
  pid: number;
  /** SIGSTOP: the process keeps its port, but answers nothing (a hung database). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
};

export async function startDatabaseProcess(): Promise<DatabaseProcess> {
  const child = forkTs("./database-process.ts");
  const { url } = await firstMessage<{ url: string }>(child, 60_000);
  return {
    url,
    pid: child.pid ?? 0,
    pause: () => child.kill("SIGSTOP"),
    resume: () => child.kill("SIGCONT"),
    stop: () => stopChild(child),
  };
}

export type SimulatorProcess = {
  url: string;
  pid: number;
  /** Chat completion calls that reached the simulator so far. */
  completionCalls(): Promise<number>;
  stop(): Promise<void>;
};

export async function startSimulatorProcess(): Promise<SimulatorProcess> {
  const child = forkTs("./simulator-process.ts");
  const { url } = await firstMessage<{ url: string }>(child, 30_000);
  let nextId = 0;
  return {
    url,
    pid: child.pid ?? 0,
    completionCalls() {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const answer = (message: { id?: number; completionCalls?: number }) => {
          if (message.id !== id) return;
          child.off("message", answer);
          child.off("exit", gone);
          resolve(message.completionCalls ?? 0);
        };
        const gone = () => reject(new Error("the simulator process exited"));
        child.on("message", answer);
        child.once("exit", gone);
        child.send({ id });
      });
    },
    stop: () => stopChild(child),
  };
}
