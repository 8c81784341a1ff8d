import { afterEach, describe, expect, it, vi } from "vitest";
import { logger, setLogLevel } from "./logger.ts";

afterEach(() => {
  setLogLevel(undefined);
  vi.restoreAllMocks();
});

function linesWritten() {
  const lines: string[] = [];
  for (const method of ["log", "warn", "error"] as const) {
    vi.spyOn(console, method).mockImplementation((line: string) => lines.push(line));
  }
  return lines;
}

describe("KILN_LOG_LEVEL", () => {
  it("writes every level by default", () => {
    const lines = linesWritten();
    logger.info("a.info");
    logger.warn("a.warn");
    logger.error("a.error");
    expect(lines.map((line) => JSON.parse(line).event)).toEqual(["a.info", "a.warn", "a.error"]);
  });

  it("drops the lines below the level set, and falls back to info for an unknown one", () => {
    const lines = linesWritten();
    setLogLevel("warn");
    logger.info("b.info");
    logger.child({ requestId: "r1" }).warn("b.warn");
    setLogLevel("verbose");
    logger.info("b.info-again");
    expect(lines.map((line) => JSON.parse(line).event)).toEqual(["b.warn", "b.info-again"]);
  });
});
