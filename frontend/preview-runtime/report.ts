import type { PreviewStatusMessage } from "./protocol.ts";

let currentRenderId: string | undefined;
let knownPaths: string[] = [];

export function setReportContext(context: { renderId: string; paths: string[] }): void {
  currentRenderId = context.renderId;
  knownPaths = context.paths;
}

export function reportRendered(): void {
  post({ type: "kiln:preview-status", state: "rendered", renderId: currentRenderId });
}

export function reportError(error: unknown, file?: string): void {
  const { message, stack } = describeError(error);
  reportFailure({ message, stack, file: file ?? fileFromStack(stack) });
}

export function reportFailure(failure: { message: string; stack?: string; file?: string }): void {
  post({ type: "kiln:preview-status", state: "error", renderId: currentRenderId, ...failure });
}

/**
 * Catches what escapes the app: uncaught errors (React 19 reports its own
 * there too) and rejections. The same function objects each time, so calling
 * this again never registers a listener twice.
 */
export function installGlobalReporters(): void {
  window.addEventListener("error", onWindowError);
  window.addEventListener("unhandledrejection", onUnhandledRejection);
}

function onWindowError(event: ErrorEvent): void {
  reportError(event.error ?? event.message);
}

function onUnhandledRejection(event: PromiseRejectionEvent): void {
  reportError(event.reason);
}

function post(message: PreviewStatusMessage): void {
  // The parent's origin is not readable from an opaque origin; the parent checks the source window.
  window.parent.postMessage(message, "*");
}

function describeError(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) {
    return { message: `${error.name}: ${error.message}`, stack: error.stack };
  }
  return { message: typeof error === "string" ? error : `Thrown value: ${String(error)}` };
}

/** Module code is evaluated with `//# sourceURL=<path>`, so stacks name our files. */
function fileFromStack(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  return knownPaths.find((path) => stack.includes(`${path}:`));
}
