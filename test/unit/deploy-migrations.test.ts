/**
 * The deploy migration runner (`npm run db:migrate`) against a real Postgres
 * (PGlite over TCP): it refuses a database that is not Supabase's, applies
 * the timestamped migrations once to one that is, and never the local
 * bootstrap.
 */
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../local/migrate.ts";
import { startLocalDatabase } from "../../local/pglite-server.ts";
import { projectRoot } from "../../local/stack.ts";

const run = promisify(execFile);

type Database = { url: string; sql: postgres.Sql; stop(): Promise<void> };

// Starting PGlite takes seconds on a busy machine, so the file shares one
// instance: the cases run in order, from an empty database to a Supabase one.
let database: Database;

beforeAll(async () => {
  database = await emptyDatabase();
}, 180_000);

afterAll(async () => {
  await database?.stop();
});

async function emptyDatabase(): Promise<Database> {
  const local = await startLocalDatabase({ migrate: false });
  const sql = postgres(local.url, { max: 1, onnotice: () => {} });
  return {
    url: local.url,
    sql,
    async stop() {
      await sql.end({ timeout: 2 });
      await local.stop();
    },
  };
}

/** Creates the `auth` objects a Supabase project has, as the local bootstrap does. */
async function makeSupabaseLike(sql: postgres.Sql) {
  const localDir = join(projectRoot, "migrations", "local");
  for (const name of (await readdir(localDir)).sort()) {
    await sql.unsafe(await readFile(join(localDir, name), "utf8"));
  }
}

async function timestampedMigrations(): Promise<string[]> {
  const names = await readdir(join(projectRoot, "migrations"));
  return names.filter((name) => /^\d{14}_[a-z0-9_]+\.sql$/.test(name)).sort();
}

function runCli(databaseUrl: string, env: Record<string, string> = {}) {
  const tsx = join(projectRoot, "node_modules", ".bin", "tsx");
  return run(tsx, [join(projectRoot, "scripts", "migrate.ts")], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl, ...env },
  }).then(
    (result) => ({ code: 0, ...result }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe("deploy migrations", { timeout: 60_000 }, () => {
  it("refuses a database without Supabase's auth schema and changes nothing", async () => {
    await expect(migrate(database.url, { localBootstrap: false })).rejects.toThrow(
      /no auth\.users table/,
    );
    const [row] = await database.sql`
      select to_regclass('public.kiln_schema_migrations') is not null as recorded,
             to_regclass('auth.users') is not null as bootstrapped`;
    expect(row).toEqual({ recorded: false, bootstrapped: false });
  });

  it("applies every timestamped migration once, in order, and records each", async () => {
    await makeSupabaseLike(database.sql);

    const first = await migrate(database.url, { localBootstrap: false });
    const second = await migrate(database.url, { localBootstrap: false });

    const expected = await timestampedMigrations();
    expect(expected.length).toBeGreaterThan(0);
    expect(first).toEqual({ applied: expected, bootstrapped: false });
    expect(second.applied).toEqual([]);
    const recorded = await database.sql<{ name: string }[]>`
      select name from public.kiln_schema_migrations order by name`;
    expect(recorded.map((row) => row.name)).toEqual(expected);
    const [teams] = await database.sql`select to_regclass('public.teams') is not null as exists`;
    expect(teams?.exists).toBe(true);
  });

  it("runs as `npm run db:migrate`, and never prints the connection string", async () => {
    // The embedded server takes any password: plant one to look for.
    const withPassword = database.url.replace("postgres:postgres@", "postgres:secret-password@");
    expect(withPassword).toContain("secret-password");
    const upToDate = await runCli(withPassword);
    expect(upToDate.code).toBe(0);
    expect(upToDate.stdout).toContain("the database is up to date");
    expect(`${upToDate.stdout}${upToDate.stderr}`).not.toContain("secret-password");

    const unreachable = await runCli(withPassword.replace(/:\d+\//, ":1/"));
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("db:migrate: failed");
    expect(`${unreachable.stdout}${unreachable.stderr}`).not.toContain("secret-password");
  });

  it("gives up on a server that accepts the connection and never answers, naming the host", async () => {
    // A TCP port that takes the connection and stays silent: what a firewall
    // black hole or a wrong port looks like, without depending on the network.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => {
      sockets.push(socket);
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };

    try {
      const result = await runCli(`postgres://kiln:secret-password@127.0.0.1:${port}/kiln`, {
        KILN_DB_CONNECT_TIMEOUT_SECONDS: "1",
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `db:migrate: failed: no answer from the database at 127.0.0.1:${port} within 1 s`,
      );
      expect(`${result.stdout}${result.stderr}`).not.toContain("secret-password");
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("gives up on a server that answers something other than Postgres", async () => {
    // A proxy or an HTTP server on the port: bytes back, then a close.
    const sockets: Socket[] = [];
    const http = createServer((socket) => {
      sockets.push(socket);
      // The client resets the connection when it gives up: expected here.
      socket.on("error", () => {});
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const { port } = http.address() as { port: number };

    try {
      const result = await runCli(`postgres://kiln:secret-password@127.0.0.1:${port}/kiln`, {
        KILN_DB_CONNECT_TIMEOUT_SECONDS: "2",
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`db:migrate: failed`);
      expect(result.stderr).toContain(`127.0.0.1:${port}`);
      expect(`${result.stdout}${result.stderr}`).not.toContain("secret-password");
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});
