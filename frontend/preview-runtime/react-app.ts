import * as React from "react";
import * as JsxRuntime from "react/jsx-runtime";
import * as ReactDOM from "react-dom";
import * as ReactDOMClient from "react-dom/client";
import { createModuleRegistry, injectStyle } from "./modules.ts";
import type { PreviewFile } from "./protocol.ts";
import { reportError, reportRendered } from "./report.ts";

const PACKAGES: Record<string, unknown> = {
  react: React,
  "react/jsx-runtime": JsxRuntime,
  "react/jsx-dev-runtime": JsxRuntime,
  "react-dom": ReactDOM,
  "react-dom/client": ReactDOMClient,
};

const ENTRY_CANDIDATES = ["src/main.tsx", "src/main.jsx", "src/main.ts", "src/main.js"];
const APP_CANDIDATES = ["src/App.tsx", "src/App.jsx", "src/App.ts", "src/App.js"];
const MOUNT_TIMEOUT_MS = 5000;

/** Runs a React answer: its own `src/main.*` if it has one, else its `src/App.*` default export. */
export function runReactApp(files: PreviewFile[]): void {
  const fileMap = new Map(files.map((file) => [file.path, file.content]));
  const registry = createModuleRegistry({ files: fileMap, packages: PACKAGES });
  const root = ensureRoot();

  const entry = ENTRY_CANDIDATES.find((path) => fileMap.has(path));
  if (entry) {
    registry.load(entry);
    waitForContent(root, entry);
    return;
  }

  const appPath = APP_CANDIDATES.find((path) => fileMap.has(path));
  if (!appPath) {
    throw new Error(
      "A React answer needs src/App.tsx (with a default export) or src/main.tsx. " +
        `This one has: ${files.map((file) => file.path).join(", ") || "no files"}.`,
    );
  }

  const App = readComponent(registry.load(appPath), appPath);
  // Without a main file nothing imports the stylesheets: apply them all.
  for (const [path, css] of fileMap) {
    if (path.endsWith(".css") && !registry.importedCss.has(path)) injectStyle(path, css);
  }
  mountApp(root, App, appPath);
}

function mountApp(root: HTMLElement, App: React.ComponentType, appPath: string): void {
  const reactRoot = ReactDOMClient.createRoot(root, {
    onCaughtError: (error) => reportError(error),
    onUncaughtError: (error) => reportError(error),
  });

  reactRoot.render(
    React.createElement(
      ErrorBoundary,
      { appPath },
      React.createElement(App),
      React.createElement(RenderedSignal),
    ),
  );
}

/** Reports success from an effect: the tree really committed to the DOM. */
function RenderedSignal(): null {
  React.useEffect(() => reportRendered(), []);
  return null;
}

type BoundaryProps = { appPath: string; children?: React.ReactNode };

class ErrorBoundary extends React.Component<BoundaryProps, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;

    return React.createElement(
      "pre",
      {
        style: {
          color: "#b42318",
          padding: "16px",
          whiteSpace: "pre-wrap",
          font: "13px monospace",
        },
      },
      `${this.props.appPath} crashed while rendering:\n${error.message}`,
    );
  }
}

function readComponent(exports: unknown, path: string): React.ComponentType {
  const candidates = exports as { default?: unknown; App?: unknown } | null;
  const component = candidates?.default ?? candidates?.App;
  if (typeof component === "function" || isExoticComponent(component)) {
    return component as React.ComponentType;
  }
  throw new Error(
    `${path} has no default export to render. Export the component: \`export default function App() { … }\`.`,
  );
}

function isExoticComponent(value: unknown): boolean {
  return typeof value === "object" && value !== null && "$$typeof" in value;
}

function ensureRoot(): HTMLElement {
  const existing = document.getElementById("root");
  if (existing) return existing;
  const root = document.createElement("div");
  root.id = "root";
  document.body.append(root);
  return root;
}

/** An app's own entry mounts itself; "rendered" means something actually appeared in #root. */
function waitForContent(root: HTMLElement, entry: string): void {
  if (root.childNodes.length > 0) {
    reportRendered();
    return;
  }

  const observer = new MutationObserver(() => {
    if (root.childNodes.length === 0) return;
    observer.disconnect();
    clearTimeout(timer);
    reportRendered();
  });
  const timer = setTimeout(() => {
    observer.disconnect();
    reportError(
      new Error(
        `${entry} ran, but nothing appeared in #root within ${MOUNT_TIMEOUT_MS / 1000} s. ` +
          'Does it call createRoot(document.getElementById("root")).render(…)?',
      ),
      entry,
    );
  }, MOUNT_TIMEOUT_MS);
  observer.observe(root, { childList: true });
}
