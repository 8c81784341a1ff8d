/** The run's event stream: one SSE event per report, written as it happens. */
import type { SandboxStreamEvent } from "../../contract/sandbox.ts";

export function sandboxEventStream(): {
  stream: ReadableStream<Uint8Array>;
  emit: (event: SandboxStreamEvent) => void;
  close: () => void;
  /** False once closed, or once the reader went away (a write failed). */
  isOpen: () => boolean;
} {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  let open = true;
  let nextId = 0;

  const emit = (event: SandboxStreamEvent) => {
    if (!open) return;
    nextId += 1;
    const frame = `id: ${nextId}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    // A reader that went away must not stop the run: the state is saved regardless.
    writer.write(encoder.encode(frame)).catch(() => {
      open = false;
    });
  };
  const close = () => {
    if (!open) return;
    open = false;
    writer.close().catch(() => {});
  };
  return { stream: readable, emit, close, isOpen: () => open };
}
