/**
 * The running app's output after "ready", for whoever has the preview open
 * (`GET /api/sandbox/:id/logs/stream`). The run's own stream ends at
 * "ready" so the create request finishes; the server's output listener
 * stays attached, its lines are saved (the newest MAX_RUNTIME_LOG_LINES, see
 * store.ts) and fanned out here to each follower.
 *
 * TODO(later): the listener lives on this object's heap. If the object is
 * evicted while nobody follows, or the listening deadline (the sandbox's life
 * at start) passes after a keep-alive, later output is not seen; reattaching
 * would need envd's process Connect call, which the simulator does not speak yet.
 */
import type { SandboxLogLine, SandboxStreamEvent } from "../../contract/sandbox.ts";
import { sandboxEventStream } from "./sse.ts";

type Follower = ReturnType<typeof sandboxEventStream>;

export class RuntimeFollowers {
  readonly #bySandbox = new Map<string, Set<Follower>>();

  /** A stream that replays the saved runtime lines, then carries new ones until `end`. */
  follow(input: {
    sandboxId: string;
    first: SandboxStreamEvent;
    saved: SandboxLogLine[];
    live: boolean;
  }): ReadableStream<Uint8Array> {
    const follower = sandboxEventStream();
    follower.emit(input.first);
    for (const line of input.saved) follower.emit({ type: "log", line });
    if (!input.live) {
      follower.close();
      return follower.stream;
    }
    const followers = this.#bySandbox.get(input.sandboxId) ?? new Set();
    followers.add(follower);
    this.#bySandbox.set(input.sandboxId, followers);
    return follower.stream;
  }

  publish(sandboxId: string, line: SandboxLogLine) {
    const followers = this.#bySandbox.get(sandboxId);
    if (!followers) return;
    for (const follower of followers) {
      if (follower.isOpen()) follower.emit({ type: "log", line });
      else followers.delete(follower);
    }
  }

  /** The sandbox ended (or its server did): each follower gets `last`, and its stream closes. */
  end(sandboxId: string, last: SandboxStreamEvent) {
    const followers = this.#bySandbox.get(sandboxId);
    this.#bySandbox.delete(sandboxId);
    for (const follower of followers ?? []) {
      follower.emit(last);
      follower.close();
    }
  }
}
