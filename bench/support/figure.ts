/** One measured figure as the results record it, and the context every measurement gets. */
import { stripVTControlCharacters } from "node:util";
import type { Stack } from "../../local/stack.ts";
import type { StackAddress } from "../load/targets.ts";
import type { DatabaseProcess, LoadProcess, SimulatorProcess } from "./children.ts";

export type FigureStatus = "measured" | "not available in this build" | "failed";

export type Figure = {
  id: string;
  title: string;
  /** The target from the issue, as words. */
  target: string;
  status: FigureStatus;
  /** true / false against the target; null when there is no figure to judge. */
  meetsTarget: boolean | null;
  /** One line for the markdown table. */
  headline: string;
  /** How it was measured, for the reader of the results. */
  method: string;
  data?: unknown;
  /** Its number in issue 9 (the run order differs: bench/run.ts). */
  number?: number;
  /** The figure before it left the stack not answering, so it ran on a restarted one. */
  stackRestarted?: boolean;
  /** How long the run waited, before this figure, for the database to answer promptly. */
  databaseWaitMs?: number;
};

export type BenchContext = {
  stack: Stack;
  address: StackAddress;
  teamId: string;
  load: LoadProcess;
  database: DatabaseProcess;
  simulator: SimulatorProcess;
  log(line: string): void;
};

export function notAvailable(
  base: Pick<Figure, "id" | "title" | "target" | "method">,
  reason: string,
): Figure {
  return { ...base, status: "not available in this build", meetsTarget: null, headline: reason };
}

export function failed(
  base: Pick<Figure, "id" | "title" | "target" | "method">,
  error: unknown,
): Figure {
  // fetch's "fetch failed" says nothing; the reason is in its cause (a reset, a refused connection).
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  // One line for the table: Playwright's messages carry a call log and terminal colours.
  const message = stripVTControlCharacters(
    (error instanceof Error ? error.message : String(error)) +
      (cause ? ` (${"code" in cause ? `${cause.code}: ` : ""}${cause.message})` : ""),
  ).replace(/\s*\n\s*/g, " ");
  return { ...base, status: "failed", meetsTarget: null, headline: `benchmark failed: ${message}` };
}
