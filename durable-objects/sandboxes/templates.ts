/**
 * The sandbox template registry: which E2B template each Kiln template runs
 * on, how its files are installed and started, which port answers when it is
 * ready, and how long each step may take. Step timeouts are upper bounds:
 * every command also stops at the sandbox's end of life (commands.ts).
 */
import type { SandboxTemplateId } from "../../contract/sandbox.ts";

export type SandboxTemplate = {
  id: SandboxTemplateId;
  /** The E2B template the sandbox is created from. */
  e2bTemplate: string;
  /** `code`: run `entry` in the code interpreter; `web`: start a server and wait for `port`. */
  kind: "code" | "web";
  /** Where the files go inside the sandbox. */
  workdir: string;
  /** Runs only when the file it needs is among the answer's files. */
  install: { command: string; whenFile: string } | null;
  /** The server's start command (web) or the file whose code runs (code). */
  start: { command: string } | null;
  entry: string | null;
  port: number | null;
  /** Can the browser preview it without a sandbox? */
  browserFallback: boolean;
  timeoutsMs: { install: number; start: number; ready: number; run: number };
  /**
   * What the system prompt tells the model (prompt.ts): the `template=` value
   * an answer declares for it (one `sandboxTemplateFor` maps back to this
   * entry) and how to write its files.
   */
  prompt: { declare: string; guidance: string };
};

export const SANDBOX_TEMPLATES: Record<SandboxTemplateId, SandboxTemplate> = {
  python: {
    id: "python",
    e2bTemplate: "code-interpreter-v1",
    kind: "code",
    workdir: "/home/user/app",
    install: { command: "pip install -r requirements.txt", whenFile: "requirements.txt" },
    start: null,
    entry: "main.py",
    port: null,
    browserFallback: false,
    timeoutsMs: { install: 120_000, start: 0, ready: 0, run: 60_000 },
    prompt: {
      declare: "python",
      guidance:
        "A Python 3 program run on a server: the entry is `main.py`; list any packages in " +
        "`requirements.txt`. Its output, matplotlib charts (`plt.show()`) and a pandas " +
        "DataFrame left as the last expression are shown to the person.",
    },
  },
  "vite-react": {
    id: "vite-react",
    e2bTemplate: "base",
    kind: "web",
    workdir: "/home/user/app",
    install: { command: "npm install --no-audit --no-fund", whenFile: "package.json" },
    start: { command: "npm run dev -- --host 0.0.0.0 --port 3000" },
    entry: null,
    port: 3000,
    browserFallback: true,
    timeoutsMs: { install: 180_000, start: 30_000, ready: 30_000, run: 0 },
    prompt: {
      // The browser previews a React app at once; the same files also run on Vite here.
      declare: "react",
      guidance: "The same files also run on a Vite dev server in a sandbox.",
    },
  },
  nextjs: {
    id: "nextjs",
    e2bTemplate: "base",
    kind: "web",
    workdir: "/home/user/app",
    install: { command: "npm install --no-audit --no-fund", whenFile: "package.json" },
    start: { command: "npm run dev -- --hostname 0.0.0.0 --port 3000" },
    entry: null,
    port: 3000,
    browserFallback: false,
    timeoutsMs: { install: 240_000, start: 60_000, ready: 60_000, run: 0 },
    prompt: {
      declare: "nextjs",
      guidance:
        "A Next.js app (App Router) run on a server: pages under `app/`, at least " +
        "`app/page.tsx`; a `package.json` with `next dev` is added if you send none.",
    },
  },
};

/** Which Python file runs: `main.py`, else the only `.py` file, else the first. */
export function pythonEntry(paths: string[]): string | null {
  if (paths.includes("main.py")) return "main.py";
  const python = paths.filter((path) => path.endsWith(".py"));
  return python[0] ?? null;
}
