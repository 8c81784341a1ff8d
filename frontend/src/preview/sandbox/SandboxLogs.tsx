import { useState } from "react";
import type { SandboxLogLine, SandboxLogStream } from "../../../../contract/sandbox.ts";

const FILTERS: { value: SandboxLogStream | "all"; label: string }[] = [
  { value: "all", label: "All" },
  { value: "install", label: "Install" },
  { value: "start", label: "Start" },
  { value: "runtime", label: "Runtime" },
  { value: "stdout", label: "stdout" },
  { value: "stderr", label: "stderr" },
];

/** Every log line of the run, filterable by where it came from. */
export function SandboxLogs({ lines }: { lines: SandboxLogLine[] }) {
  const [filter, setFilter] = useState<SandboxLogStream | "all">("all");
  const shown = filter === "all" ? lines : lines.filter((line) => line.stream === filter);
  const present = new Set(lines.map((line) => line.stream));

  return (
    <section className="sandbox-logs" aria-label="Sandbox logs">
      <div className="sandbox-logs__filters">
        {FILTERS.filter((option) => option.value === "all" || present.has(option.value)).map(
          (option) => (
            <button
              key={option.value}
              type="button"
              className="button button--small"
              aria-pressed={filter === option.value}
              onClick={() => setFilter(option.value)}
            >
              {option.label}
            </button>
          ),
        )}
      </div>
      <pre className="sandbox-logs__lines" data-testid="sandbox-logs">
        {shown.length === 0
          ? "No output yet."
          : shown.map((line, index) => (
              <span
                // Lines only ever append, so the index is stable.
                // biome-ignore lint/suspicious/noArrayIndexKey: append-only list
                key={index}
                className={`sandbox-log sandbox-log--${line.stream}`}
              >
                <span className="sandbox-log__stream">{line.stream}</span> {line.text}
                {"\n"}
              </span>
            ))}
      </pre>
    </section>
  );
}
