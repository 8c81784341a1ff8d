/**
 * The preload that fixes miniflare's local Hyperdrive proxy
 * (local/hyperdrive-proxy-fixes.cjs), run on a proxy like it: two sockets
 * piped both ways with no error listener. One reset by its peer ends the
 * process without the preload; and with it, both sockets send without
 * Nagle's delay.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const guard = fileURLToPath(new URL("../../local/hyperdrive-proxy-fixes.cjs", import.meta.url));

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

// The same proxy with an echoing database, recording which sockets had setNoDelay(true).
const NO_DELAY_PROXY = `
const net = require("node:net");
const noDelay = new WeakSet();
const setNoDelay = net.Socket.prototype.setNoDelay;
net.Socket.prototype.setNoDelay = function (enable = true) {
  if (enable) noDelay.add(this);
  return setNoDelay.call(this, enable);
};
const database = net.createServer((socket) => socket.pipe(socket));
database.listen(0, "127.0.0.1", () => {
  const proxy = net.createServer((client) => {
    const upstream = net.connect(database.address().port, "127.0.0.1");
    client.pipe(upstream);
    upstream.pipe(client);
    client.once("data", () => {
      console.log(JSON.stringify({ client: noDelay.has(client), upstream: noDelay.has(upstream) }));
      process.exit(0);
    });
  });
  proxy.listen(0, "127.0.0.1", () => net.connect(proxy.address().port, "127.0.0.1").write("hi"));
});
`;

function runProxy(preload: string[]) {
  return spawnSync(process.execPath, [...preload, "-e", PROXY], {
    encoding: "utf8",
    timeout: 15_000,
  });
}

describe("the Hyperdrive proxy fixes", () => {
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

  it("turns Nagle's algorithm off on both sockets of every pipe", () => {
    const result = spawnSync(process.execPath, [`--require=${guard}`, "-e", NO_DELAY_PROXY], {
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({ client: true, upstream: true });
  });
});
