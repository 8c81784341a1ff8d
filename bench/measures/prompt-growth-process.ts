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

/** Median time of one call in ms, repeating until 150 ms of calls have run (at least 5). */
function time(work: () => unknown): number {
  for (let index = 0; index < 3; index += 1) work();
  const samples: number[] = [];
  const startedAt = performance.now();
  while (samples.length < 5 || performance.now() - startedAt < 150) {
    const before = performance.now();
    work();
    samples.push(performance.now() - before);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
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
