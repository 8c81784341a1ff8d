/**
 * The production bundle exactly as the deploy workflows ship it: wrangler
 * bundles `--env production` into a folder (`wrangler deploy --dry-run
 * --outdir`), and the result runs in workerd through miniflare with the
 * production environment's bindings and the built SPA as its assets.
 *
 * Only Hyperdrive points somewhere local (the embedded PGlite); KV, Durable
 * Objects, Queues, rate limits and Analytics Engine are miniflare's local
 * implementations of the same bindings.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { projectRoot } from "../../local/stack.ts";

const run = promisify(execFile);

export type ProductionBundle = {
  /** The folder holding `index.js`, the file `wrangler versions upload` sends. */
  outDir: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  dispose(): Promise<void>;
};

export async function bundleForEnvironment(environment: string): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), `kiln-bundle-${environment}-`));
  const wrangler = join(projectRoot, "node_modules", "wrangler", "bin", "wrangler.js");
  await run(
    process.execPath,
    [wrangler, "deploy", "--dry-run", "--env", environment, "--outdir", outDir],
    { cwd: projectRoot, env: quietWranglerEnv(), maxBuffer: 16 * 1024 * 1024 },
  );
  return outDir;
}

export async function startProductionBundle(options: {
  databaseUrl: string;
}): Promise<ProductionBundle> {
  const outDir = await bundleForEnvironment("production");

  // wrangler reads the local Hyperdrive target from this variable only.
  const variable = "CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE";
  const previous = process.env[variable];
  process.env[variable] = options.databaseUrl;
  let workerOptions: ReturnType<typeof unstable_getMiniflareWorkerOptions>["workerOptions"];
  try {
    ({ workerOptions } = unstable_getMiniflareWorkerOptions(
      join(projectRoot, "wrangler.toml"),
      "production",
    ));
  } finally {
    if (previous === undefined) delete process.env[variable];
    else process.env[variable] = previous;
  }

  const miniflare = new Miniflare({
    ...workerOptions,
    name: "kiln-production",
    // Listed, not discovered: miniflare's module scan refuses the dynamic
    // import() the e2b SDK carries, which Cloudflare's own loader accepts.
    modules: await bundleModules(outDir),
    modulesRoot: outDir,
  } as ConstructorParameters<typeof Miniflare>[0]);
  await miniflare.ready;

  return {
    outDir,
    async fetch(path, init) {
      // miniflare's fetch returns its own Response class; the standard one is what callers use.
      const response = await miniflare.dispatchFetch(`https://kiln.example${path}`, init as never);
      const body = await response.arrayBuffer();
      return new Response(body, { status: response.status, headers: [...response.headers] });
    },
    async dispose() {
      await miniflare.dispose();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

/** Every module wrangler wrote, entry point first, as miniflare takes them. */
async function bundleModules(outDir: string) {
  const files = (await readdir(outDir, { recursive: true })).map(String).sort();
  const modules = [];
  for (const file of ["index.js", ...files.filter((name) => name !== "index.js")]) {
    const type = file.endsWith(".js") ? "ESModule" : file.endsWith(".wasm") ? "CompiledWasm" : null;
    if (!type) continue; // source maps, README
    modules.push({ type, path: join(outDir, file), contents: await readFile(join(outDir, file)) });
  }
  return modules;
}

function quietWranglerEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    NO_UPDATE_NOTIFIER: "1",
  };
}
