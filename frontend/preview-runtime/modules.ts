/**
 * A tiny CommonJS module system over the answer's files: each file is
 * compiled on first require, relative imports resolve with or without an
 * extension or /index, and packages come only from the runtime's own bundle.
 */
import { compileModule } from "./compile.ts";

export type ModuleRegistry = {
  /** Loads a file by its path in the answer, such as `src/App.tsx`. */
  load: (path: string) => unknown;
  resolve: (fromPath: string, specifier: string) => string | null;
  importedCss: ReadonlySet<string>;
};

type Module = { exports: unknown };

const EXTENSIONS = [".tsx", ".ts", ".jsx", ".js", ".mjs", ".json", ".css"];

export function createModuleRegistry(input: {
  files: ReadonlyMap<string, string>;
  packages: Readonly<Record<string, unknown>>;
}): ModuleRegistry {
  const cache = new Map<string, Module>();
  const importedCss = new Set<string>();

  const resolve = (fromPath: string, specifier: string): string | null => {
    const base = toFilePath(fromPath, specifier);
    if (base === null) return null;
    const candidates = [base, ...EXTENSIONS.map((ext) => base + ext)];
    candidates.push(...EXTENSIONS.map((ext) => `${base}/index${ext}`));
    return candidates.find((candidate) => input.files.has(candidate)) ?? null;
  };

  const requireFrom = (fromPath: string, specifier: string): unknown => {
    if (Object.hasOwn(input.packages, specifier)) return input.packages[specifier];

    const path = resolve(fromPath, specifier);
    if (path === null) throw new Error(unresolvedMessage(fromPath, specifier));
    return load(path);
  };

  const load = (path: string): unknown => {
    const cached = cache.get(path);
    if (cached) return cached.exports;

    const module: Module = { exports: {} };
    // Cached before running so circular imports see the partial exports, as in Node.
    cache.set(path, module);
    const source = input.files.get(path) ?? "";

    if (path.endsWith(".css")) {
      importedCss.add(path);
      injectStyle(path, source);
      module.exports = path.endsWith(".module.css") ? classNameProxy() : {};
    } else if (path.endsWith(".json")) {
      module.exports = JSON.parse(source);
    } else {
      evaluate(path, compileModule(path, source), module, (specifier) =>
        requireFrom(path, specifier),
      );
    }
    return module.exports;
  };

  return { load, resolve, importedCss };
}

export function injectStyle(path: string, css: string): void {
  const style = document.createElement("style");
  style.dataset.file = path;
  style.textContent = css;
  document.head.append(style);
}

function evaluate(
  path: string,
  code: string,
  module: Module,
  require: (specifier: string) => unknown,
): void {
  // Wrapper on the first line and sourceURL last: stack lines match the file.
  const wrapped = `(function (require, module, exports) {${code}\n})\n//# sourceURL=${path}`;
  // biome-ignore lint/complexity/noCommaOperator: `(0, eval)` is an indirect eval: global scope, not this module's
  // biome-ignore lint/security/noGlobalEval: running the answer's code is this runtime's job; it is sandboxed by the iframe
  const factory: unknown = (0, eval)(wrapped);
  if (typeof factory === "function") factory(require, module, module.exports);
}

/** `./x`, `../x`, `/src/x` and the common `@/x` alias for `src/x`; null for packages. */
function toFilePath(fromPath: string, specifier: string): string | null {
  if (specifier.startsWith("@/")) return normalize(`src/${specifier.slice(2)}`);
  if (specifier.startsWith("/")) return normalize(specifier.slice(1));
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return null;

  const directory = fromPath.split("/").slice(0, -1).join("/");
  return normalize(directory ? `${directory}/${specifier}` : specifier);
}

function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== "." && part !== "") parts.push(part);
  }
  return parts.join("/");
}

function unresolvedMessage(fromPath: string, specifier: string): string {
  if (toFilePath(fromPath, specifier) !== null) {
    return `${fromPath}: cannot find "${specifier}" among the answer's files.`;
  }
  return (
    `${fromPath}: the package "${specifier}" is not available in the browser preview. ` +
    "Only react and react-dom are bundled; other packages need the server sandbox."
  );
}

function classNameProxy(): unknown {
  return new Proxy({}, { get: (_target, key) => (key === "__esModule" ? false : String(key)) });
}
