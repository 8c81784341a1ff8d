/**
 * The preload that keeps wrangler alive when a database connection resets
 * (local/socket-pipe-guard.cjs): two sockets piped both ways with no error
 * listener, as miniflare's Hyperdrive proxy joins them, and one of them
 * reset by its peer. Without the preload that ends the process.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const guard = fileURLToPath(new URL("../../local/socket-pipe-guard.cjs", import.meta.url));

// A proxy like miniflare's: accepts a client, connects to a "database", pipes both ways.
const PROXY = `
const net = require("node:net");
const database = net.createServer((socket) => socket.resetAndDestroy());
database.listen(0, "127.0.0.1", () => {
  const proxy = net.createServer((client) => {
    const upstream = net.connect(database.address().port, "127.0.0.1");
    client.pipe(upstream);
    upstream.pipe(client);
  });
  proxy.listen(0, "127.0.0.1", () => {
    const client = net.connect(proxy.address().port, "127.0.0.1");
    client.on("error", () => {});
    client.on("close", () => setTimeout(() => { console.log("still running"); process.exit(0); }, 200));
    client.write("hello");
  });
});
`;

function runProxy(preload: string[]) {
  return spawnSync(process.execPath, [...preload, "-e", PROXY], {
    encoding: "utf8",
    timeout: 15_000,
  });
}

describe("the socket pipe guard", () => {
  it("keeps a proxy process running when the database resets a piped connection", () => {
    const guarded = runProxy([`--require=${guard}`]);
    expect(guarded.stdout).toContain("still running");
    expect(guarded.status).toBe(0);
  });

  it("is what makes the difference: without it the reset ends the process", () => {
    const unguarded = runProxy([]);
    expect(unguarded.stdout).not.toContain("still running");
    expect(unguarded.stderr).toContain("ECONNRESET");
    expect(unguarded.status).not.toBe(0);
  });
});
