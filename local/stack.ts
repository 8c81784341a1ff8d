/**
 * The whole product on one machine with nothing configured: Postgres (the
 * embedded PGlite server, or DATABASE_URL), the provider simulator, and
 * workerd through `wrangler dev` serving the Worker, the TeamGateway object,
 * KV and the built SPA. `npm run dev` and the browser test both start it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type E2bSimulator, startE2bSimulator } from "../test/simulators/e2b/server.ts";
import { startProviderSimulator } from "../test/simulators/provider/server.ts";
import { migrate, withPasswordForHyperdrive } from "./migrate.ts";
import { type LocalDatabase, startLocalDatabase } from "./pglite-server.ts";
import { type EdgeLimits, writeConfigWithEdgeLimits } from "./wrangler-config.ts";

export const projectRoot = fileURLToPath(new URL("..", import.meta.url));

export type StackOptions = {
  port: number;
  /** Where local state lives (PGlite data, workerd storage); a temp folder for tests. */
  stateDir: string;
  databaseUrl?: string | undefined;
  simulatorPort?: number;
  /** Simulator pacing; tests use 0 for speed. */
  simulatorDelays?: { firstTokenDelayMs: number; chunkDelayMs: number };
  /**
   * A provider simulator that runs elsewhere (the benchmark keeps one in a
   * process of its own): used as it is, neither started nor stopped here.
   */
  simulatorUrl?: string;
  /** The E2B simulator's port, started when no E2B_API_KEY is set; 0 picks a free one. */
  e2bSimulatorPort?: number;
  /** Keep PGlite in memory instead of under stateDir. */
  inMemoryDatabase?: boolean;
  /** Extra Worker variables, e.g. SUPABASE_URL for a test's Supabase Auth simulator. */
  vars?: Record<string, string>;
  /** The SPA build to serve instead of wrangler.toml's `dist/client` (`npm run dev`'s own). */
  assetsDirectory?: string;
  /**
   * Edge rate limits other than wrangler.toml's (the benchmark's many
   * requests from one user and team); the stack then runs a copy of the
   * configuration under stateDir (wrangler-config.ts), which does not read
   * the project's `.dev.vars`.
   */
  edgeLimits?: EdgeLimits;
  /**
   * false: no DevTools session on the Worker (the benchmark). wrangler's
   * inspector proxy turns on network tracing, and under many concurrent
   * streams workerd then leaked sockets (about two per streamed chunk, 20,000
   * in 10 s at 50 streams) until it failed with "Too many open files";
   * production has no inspector. wrangler skips it in a VS Code debug
   * terminal, which is the switch used.
   */
  devtools?: boolean;
  log?: (line: string) => void;
};

export type Stack = {
  url: string;
  databaseUrl: string;
  /** The provider simulator the Worker calls when no real provider is configured. */
  simulatorUrl: string;
  /**
   * Settles with wrangler's exit code if workerd stops while the stack is
   * meant to be up (a crash), so the caller can say so instead of serving a
   * dead URL. Never settles after `stop()`.
   */
  crashed: Promise<number | null>;
  /** Running unless a real E2B_API_KEY is configured. */
  e2bSimulator: E2bSimulator | undefined;
  stop(): Promise<void>;
};

export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? (() => {});
  await mkdir(options.stateDir, { recursive: true });

  const database = await startDatabase(options);
  log(`database ready at ${redact(database.url)}`);

  const simulator = options.simulatorUrl
    ? undefined
    : await startProviderSimulator({
        port: options.simulatorPort ?? 0,
        ...options.simulatorDelays,
      });
  const simulatorUrl = options.simulatorUrl ?? simulator?.url ?? "";
  log(`provider simulator listening on ${simulatorUrl}`);

  const e2bSimulator = (await e2bConfigured())
    ? undefined
    : await startE2bSimulator({ port: options.e2bSimulatorPort ?? 0 });
  if (e2bSimulator) log(`E2B simulator listening on ${e2bSimulator.url}`);

  const config = options.edgeLimits
    ? await writeConfigWithEdgeLimits({
        projectRoot,
        stateDir: options.stateDir,
        limits: options.edgeLimits,
      })
    : undefined;
  const wrangler = spawnWrangler({
    ...options,
    ...(config
      ? {
          configPath: config.configPath,
          vars: { ...options.vars, KILN_RATE_LIMITS: config.rateLimitsVar },
        }
      : {}),
    databaseUrl: database.url,
    simulatorUrl,
    e2bSimulator,
    log,
  });
  const url = `http://localhost:${options.port}`;
  try {
    await waitForHealth(url, wrangler, 90_000);
  } catch (error) {
    await stopChild(wrangler);
    await simulator?.close();
    await e2bSimulator?.close();
    await database.local?.stop();
    throw error;
  }

  let stopping = false;
  const crashed = watchForCrash({ url, child: wrangler, isStopping: () => stopping });

  return {
    url,
    databaseUrl: database.url,
    simulatorUrl,
    crashed,
    e2bSimulator,
    async stop() {
      stopping = true;
      await stopChild(wrangler);
      await simulator?.close();
      await e2bSimulator?.close();
      await database.local?.stop();
    },
  };
}

async function startDatabase(
  options: StackOptions,
): Promise<{ url: string; local: LocalDatabase | undefined }> {
  if (options.databaseUrl) {
    await migrate(options.databaseUrl);
    return { url: options.databaseUrl, local: undefined };
  }
  const local = await startLocalDatabase(
    options.inMemoryDatabase ? {} : { dataDir: join(options.stateDir, "pglite") },
  );
  return { url: local.url, local };
}

/** wrangler processes this process started and has not stopped, for stopWranglers. */
const liveWranglers = new Set<ChildProcess>();

/**
 * Stops every wrangler (and its workerd) this process started, including
 * stacks still booting: for a caller's SIGINT handler, since wrangler's own
 * process group never receives the terminal's Ctrl-C.
 */
export async function stopWranglers(): Promise<void> {
  await Promise.all([...liveWranglers].map((child) => stopChild(child)));
}

/** wrangler's last lines of output, for the error when it exits before it is healthy. */
const recentOutput = new WeakMap<ChildProcess, string[]>();
const RECENT_LINES = 30;

function spawnWrangler(
  options: StackOptions & {
    configPath?: string;
    databaseUrl: string;
    simulatorUrl: string;
    e2bSimulator: E2bSimulator | undefined;
    log: (line: string) => void;
  },
): ChildProcess {
  const bin = join(projectRoot, "node_modules", "wrangler", "bin", "wrangler.js");
  const args = [
    bin,
    "dev",
    ...(options.configPath ? ["--config", options.configPath] : []),
    "--port",
    String(options.port),
    "--ip",
    "127.0.0.1",
    "--persist-to",
    join(options.stateDir, "wrangler"),
    "--var",
    `KILN_SIMULATOR_URL:${options.simulatorUrl}`,
    ...(options.e2bSimulator ? e2bSimulatorVars(options.e2bSimulator.url) : []),
    ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ...(options.assetsDirectory ? ["--assets", options.assetsDirectory] : []),
    "--show-interactive-dev-session=false",
    "--log-level",
    process.env.KILN_WRANGLER_LOG_LEVEL ?? "warn",
  ];
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: {
      ...process.env,
      CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: withPasswordForHyperdrive(
        options.databaseUrl,
      ),
      ...(options.devtools === false ? { VSCODE_INSPECTOR_OPTIONS: "{}" } : {}),
      // A reset database connection must not end wrangler, nor Nagle slow every statement (see the file).
      NODE_OPTIONS: [
        process.env.NODE_OPTIONS,
        `--require=${JSON.stringify(join(projectRoot, "local", "hyperdrive-proxy-fixes.cjs"))}`,
      ]
        .filter(Boolean)
        .join(" "),
      // There is no internet here: wrangler must not phone home.
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      NO_UPDATE_NOTIFIER: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: wrangler.js re-spawns wrangler's CLI, which
    // spawns workerd, and stopping must reach all three (see stopChild).
    detached: true,
  });
  liveWranglers.add(child);
  child.once("exit", () => liveWranglers.delete(child));
  const recent: string[] = [];
  recentOutput.set(child, recent);
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      options.log(line);
      recent.push(line);
      if (recent.length > RECENT_LINES) recent.shift();
    }
  };
  child.stdout?.on("data", forward);
  child.stderr?.on("data", forward);
  return child;
}

/** A real key in the environment or in `.dev.vars` (which `--var` would otherwise override). */
async function e2bConfigured(): Promise<boolean> {
  if (process.env.E2B_API_KEY) return true;
  const devVars = await readFile(join(projectRoot, ".dev.vars"), "utf8").catch(() => "");
  return /^\s*E2B_API_KEY\s*=\s*\S/m.test(devVars);
}

/** Points the Worker's E2B SDK at the simulator (a key is required, any value works). */
function e2bSimulatorVars(url: string): string[] {
  return [
    "--var",
    "E2B_API_KEY:e2b_simulated",
    "--var",
    `E2B_API_URL:${url}`,
    "--var",
    `E2B_SANDBOX_URL:${url}`,
  ];
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited(child)) {
      // Callers often log nothing of wrangler's; its last words say why it stopped.
      const said = (recentOutput.get(child) ?? []).join("\n");
      throw new Error(
        `wrangler exited with code ${child.exitCode}${said ? `; its last output:\n${said}` : ""}`,
      );
    }
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Kiln did not become healthy at ${url} within ${timeoutMs} ms`);
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Stops wrangler's whole process group, which outlives wrangler.js if that one dies alone. */
function stopChild(child: ChildProcess): Promise<void> {
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  if (hasExited(child)) {
    signalGroup("SIGKILL");
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => signalGroup("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      signalGroup("SIGKILL");
      resolve();
    });
    signalGroup("SIGTERM");
  });
}

const WATCHDOG_INTERVAL_MS = 5_000;
const WATCHDOG_FAILURES = 3;

/**
 * Resolves when workerd stops answering: wrangler exited, or its port has
 * refused connections three probes in a row (wrangler can outlive a dead
 * workerd). A slow answer under load is not a failure.
 */
function watchForCrash(options: {
  url: string;
  child: ChildProcess;
  isStopping: () => boolean;
}): Promise<number | null> {
  return new Promise((resolve) => {
    let failures = 0;
    const settle = (code: number | null) => {
      clearInterval(timer);
      if (!options.isStopping()) resolve(code);
    };
    options.child.once("exit", (code) => settle(code));
    const timer = setInterval(async () => {
      try {
        await fetch(`${options.url}/api/health`, { signal: AbortSignal.timeout(30_000) });
        failures = 0;
      } catch (error) {
        const refused = (error as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED";
        failures = refused ? failures + 1 : 0;
        if (failures >= WATCHDOG_FAILURES) settle(options.child.exitCode);
      }
    }, WATCHDOG_INTERVAL_MS);
    timer.unref();
  });
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, "//$1:***@");
}
