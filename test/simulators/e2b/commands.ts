/**
 * What a command does inside a simulated sandbox. Only the commands Kiln's
 * templates run are understood (npm / pip installs, dev servers); anything
 * else exits 0 at once. The written files matter: a package.json without the
 * script a start command names fails the way npm does.
 */
import type { SimSandbox } from "./state.ts";

export type Output = { stream: "stdout" | "stderr"; text: string };

export type Behaviour = {
  output: Output[];
  /** `hang`: never ends by itself; `serve`: keeps running, like a dev server. */
  end: { exitCode: number; error?: string } | "hang" | "serve";
  openPort?: { port: number; afterMs: number };
};

const WRONG_PORT = 5173;

export function commandBehaviour(
  sandbox: SimSandbox,
  cmd: string,
  envs: Record<string, string>,
): Behaviour {
  const faults = sandbox.faults.names;

  if (/\b(npm (install|ci)|pip install)\b/.test(cmd)) {
    if (faults.has("command-hangs")) {
      return { output: [{ stream: "stdout", text: "Resolving dependencies…\n" }], end: "hang" };
    }
    if (faults.has("install-fails")) {
      return {
        output: [
          { stream: "stderr", text: "npm error code E404\n" },
          {
            stream: "stderr",
            text: "npm error 404 Not Found - GET https://registry.npmjs.org/left-pad-nonexistent\n",
          },
        ],
        end: { exitCode: 1, error: "exit status 1" },
      };
    }
    const what = cmd.includes("pip")
      ? "Successfully installed 3 packages"
      : "added 87 packages in 2s";
    return { output: [{ stream: "stdout", text: `${what}\n` }], end: { exitCode: 0 } };
  }

  const script = /\bnpm run (\S+)/.exec(cmd)?.[1];
  if (script) return devServer({ sandbox, cmd, envs, script });

  return { output: [], end: { exitCode: 0 } };
}

function devServer(options: {
  sandbox: SimSandbox;
  cmd: string;
  envs: Record<string, string>;
  script: string;
}): Behaviour {
  const { sandbox, cmd, script } = options;
  const faults = sandbox.faults.names;

  if (!hasScript(sandbox, script)) {
    return {
      output: [{ stream: "stderr", text: `npm error Missing script: "${script}"\n` }],
      end: { exitCode: 1, error: "exit status 1" },
    };
  }
  if (faults.has("start-crashes")) {
    return {
      output: [
        { stream: "stderr", text: "Error: Cannot find module './missing-config.js'\n" },
        {
          stream: "stderr",
          text: "    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)\n",
        },
      ],
      end: { exitCode: 1, error: "exit status 1" },
    };
  }

  const requested = Number(
    /--port[ =](\d+)|-p (\d+)/.exec(cmd)?.slice(1).find(Boolean) ?? options.envs.PORT ?? 3000,
  );
  const port = faults.has("port-never-opens") ? WRONG_PORT : requested;
  const next = /"next"\s*:/.test(manifestOf(sandbox) ?? "");
  const banner = next
    ? `  ▲ Next.js 15.5.0 (simulated)\n  - Local:        http://localhost:${port}\n\n ✓ Ready\n`
    : `  VITE v7.1.0 (simulated)  ready\n\n  ➜  Local:   http://localhost:${port}/\n`;

  return {
    output: [{ stream: "stdout", text: banner }],
    end: "serve",
    openPort: { port, afterMs: faults.has("slow-start") ? sandbox.faults.startDelayMs : 0 },
  };
}

function manifestOf(sandbox: SimSandbox): string | undefined {
  return [...sandbox.files.entries()].find(([path]) => path.endsWith("/package.json"))?.[1];
}

function hasScript(sandbox: SimSandbox, script: string): boolean {
  const manifest = manifestOf(sandbox);
  if (!manifest) return false;
  try {
    const parsed = JSON.parse(manifest) as { scripts?: Record<string, string> };
    return typeof parsed.scripts?.[script] === "string";
  } catch {
    return false;
  }
}
