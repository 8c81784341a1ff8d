/**
 * Times Kiln's prompt building (durable-objects/prompt.ts: attachments
 * rendered and truncated, history fitted to its budget) as the input grows.
 * Runs alone in a fresh Node process and prints JSON; V8 runs the same code
 * in workerd, so the growth curve carries over. Pass `--cpu-prof` to Node to
 * profile it.
 */
import { buildMessages } from "../../durable-objects/prompt.ts";
import type { ChatMessage } from "../../durable-objects/providers/types.ts";

const ATTACHMENT_BYTES = [1_024, 4_096, 16_384, 65_536, 262_144, 1_048_576];
const HISTORY_MESSAGES = [10, 30, 100, 300, 1_000];
/** A turn of conversation about code: a few hundred characters. */
const TURN_CHARS = 400;

const code = (chars: number) =>
  "export const answer = compute(42);\n".repeat(Math.ceil(chars / 35)).slice(0, chars);

/**
 * Time of one call in ms: the fastest of repeated batches, each long enough
 * (≥ 1 ms) for the clock to resolve it, for 150 ms. The fastest batch is
 * the one other processes on the shared cores disturbed least.
 */
function time(work: () => unknown): number {
  let batch = 1;
  for (;;) {
    const before = performance.now();
    for (let index = 0; index < batch; index += 1) work();
    if (performance.now() - before >= 1) break;
    batch *= 2;
  }

  const samples: number[] = [];
  const startedAt = performance.now();
  while (samples.length < 5 || performance.now() - startedAt < 150) {
    const before = performance.now();
    for (let index = 0; index < batch; index += 1) work();
    samples.push((performance.now() - before) / batch);
  }
  return Math.min(...samples);
}

const attachments = ATTACHMENT_BYTES.map((size) => {
  const content = code(size);
  const build = () =>
    buildMessages({
      history: [],
      message: "Fix the bug",
      attachments: [{ path: "src/App.tsx", content }],
    });
  return {
    size,
    buildMs: time(build),
    buildAndSerialiseMs: time(() => JSON.stringify(build())),
  };
});

const history = HISTORY_MESSAGES.map((size) => {
  const turns: ChatMessage[] = Array.from({ length: size }, (_, index) => ({
    role: index % 2 === 0 ? "user" : "assistant",
    content: code(TURN_CHARS),
  }));
  const build = () => buildMessages({ history: turns, message: "And now?", attachments: [] });
  return {
    size,
    buildMs: time(build),
    buildAndSerialiseMs: time(() => JSON.stringify(build())),
  };
});

process.stdout.write(`${JSON.stringify({ attachments, history })}\n`);
