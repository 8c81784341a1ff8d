import { type Transform, transform } from "sucrase";

export class CompileError extends Error {
  override name = "CompileError";
  readonly file: string;
  readonly codeFrame: string | undefined;

  constructor(input: { file: string; message: string; codeFrame?: string }) {
    super(`${input.file}: ${input.message}`);
    this.file = input.file;
    this.codeFrame = input.codeFrame;
  }
}

/** Compiles one module to CommonJS. Sucrase keeps line numbers, so stacks point at the source. */
export function compileModule(path: string, source: string): string {
  try {
    return transform(source, {
      transforms: transformsFor(path),
      jsxRuntime: "automatic",
      production: true,
      filePath: path,
    }).code;
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    // Sucrase prefixes the path itself; CompileError adds it once.
    const message = raw.replace(`Error transforming ${path}: `, "");
    throw new CompileError({ file: path, message, codeFrame: codeFrame(source, lineOf(error)) });
  }
}

function transformsFor(path: string): Transform[] {
  if (/\.tsx$/.test(path)) return ["typescript", "jsx", "imports"];
  // No "jsx" for .ts: `<T>(value)` is a type assertion there, not an element.
  if (/\.(ts|mts|cts)$/.test(path)) return ["typescript", "imports"];
  return ["jsx", "imports"];
}

function lineOf(error: unknown): number | null {
  if (typeof error !== "object" || error === null || !("loc" in error)) return null;
  const { loc } = error as { loc?: { line?: unknown } };
  return typeof loc?.line === "number" ? loc.line : null;
}

function codeFrame(source: string, line: number | null): string | undefined {
  if (line === null) return undefined;
  const lines = source.split("\n");
  const first = Math.max(1, line - 2);
  const last = Math.min(lines.length, line + 2);
  const width = String(last).length;
  const frame: string[] = [];

  for (let number = first; number <= last; number += 1) {
    const marker = number === line ? ">" : " ";
    frame.push(`${marker} ${String(number).padStart(width)} | ${lines[number - 1] ?? ""}`);
  }
  return frame.join("\n");
}
