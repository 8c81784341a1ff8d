/**
 * What the simulator remembers: its sandboxes, their files, processes and
 * open ports. A sandbox's end of life is real time, as on E2B: after
 * `endAtMs` every envd call answers 502 and the control plane 404.
 */
import { randomBytes } from "node:crypto";
import { type FaultSet, NO_FAULTS } from "./faults.ts";

export type SimProcess = {
  pid: number;
  cmd: string;
  state: "running" | "exited" | "killed";
  exitCode: number | undefined;
  /** The client's deadline, from `Connect-Timeout-Ms` (absent: none). */
  connectTimeoutMs: number | undefined;
  /** Ends a running process from outside (SendSignal, sandbox kill). */
  stop?: (reason: "killed" | "gone") => void;
};

export type SimSandbox = {
  id: string;
  templateId: string;
  metadata: Record<string, string>;
  envVars: Record<string, string>;
  accessToken: string;
  startedAtMs: number;
  endAtMs: number;
  killed: boolean;
  faults: FaultSet;
  files: Map<string, string>;
  processes: Map<number, SimProcess>;
  /** Port → the time it starts answering. */
  openPorts: Map<number, number>;
  /** Port → writes to the output of the server listening there (it logs each request). */
  serverOutput: Map<number, (text: string) => void>;
};

export class SimulatorState {
  readonly sandboxes = new Map<string, SimSandbox>();
  readonly faultsByTeam = new Map<string, FaultSet>();
  /**
   * Every control-plane create request body with the request's `traceparent`,
   * oldest first (tests read what Kiln sent, at `GET /_simulator/creates`).
   */
  readonly createRequests: unknown[] = [];
  #nextPid = 100;

  create(input: {
    templateId: string;
    timeoutSeconds: number;
    metadata: Record<string, string>;
    envVars: Record<string, string>;
  }): SimSandbox {
    const now = Date.now();
    const sandbox: SimSandbox = {
      id: `sim${randomBytes(8).toString("hex")}`,
      templateId: input.templateId,
      metadata: input.metadata,
      envVars: input.envVars,
      accessToken: randomBytes(12).toString("hex"),
      startedAtMs: now,
      endAtMs: now + input.timeoutSeconds * 1000,
      killed: false,
      faults: this.faultsFor(input.metadata),
      files: new Map(),
      processes: new Map(),
      openPorts: new Map(),
      serverOutput: new Map(),
    };
    this.sandboxes.set(sandbox.id, sandbox);
    return sandbox;
  }

  faultsFor(metadata: Record<string, string>): FaultSet {
    const teamId = metadata.kilnTeamId;
    return (teamId && this.faultsByTeam.get(teamId)) || NO_FAULTS;
  }

  /** The sandbox if it is still alive; ended ones are finished off on the way. */
  live(id: string | undefined): SimSandbox | undefined {
    const sandbox = id ? this.sandboxes.get(id) : undefined;
    if (!sandbox || sandbox.killed) return undefined;
    if (Date.now() >= sandbox.endAtMs) {
      this.kill(sandbox);
      return undefined;
    }
    return sandbox;
  }

  kill(sandbox: SimSandbox) {
    sandbox.killed = true;
    sandbox.openPorts.clear();
    sandbox.serverOutput.clear();
    for (const process of sandbox.processes.values()) process.stop?.("gone");
  }

  newPid(): number {
    this.#nextPid += 1;
    return this.#nextPid;
  }
}
