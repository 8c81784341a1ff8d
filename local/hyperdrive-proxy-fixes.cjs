/**
 * Preloaded into wrangler's Node processes by local/stack.ts (NODE_OPTIONS),
 * for two faults of miniflare's local Hyperdrive proxy
 * (HyperdriveProxyController in miniflare 4.20260426), which joins workerd's
 * socket and the database's with `a.pipe(b); b.pipe(a)`:
 *
 * - No "error" listener on either socket, so one reset connection
 *   (ECONNRESET, or EPIPE on a write after the other side closed) is an
 *   uncaught error that ends wrangler, and with it the whole local stack.
 *   Under load the embedded database does reset connections. Each socket of
 *   a pipe that has no "error" listener gets one that destroys the other
 *   side instead, which is what the proxy should do; the query on that
 *   connection fails and Kiln answers as it does for any database error.
 *   Sockets that already handle their errors are left alone.
 * - Nagle's algorithm left on. postgres.js sends a statement as several
 *   small writes; the proxy forwards each as it comes, and the kernel holds
 *   the next one back until the first is acknowledged, which the far side
 *   delays by up to 40 ms. Every statement through the proxy waited that
 *   long: saving 300 chats' turns took 75 s instead of 2, and `GET /api/me`
 *   took 4 s while it ran. Both sockets of a pipe now send at once, as
 *   Hyperdrive and the embedded database's own server do.
 *
 * Newer wrangler versions skip this proxy when sslmode=disable.
 */
const net = require("node:net");

const guarded = Symbol("kiln.pipeGuarded");
const pipe = net.Socket.prototype.pipe;

/** An "error" listener that closes the other side, once per socket, unless it has one of its own. */
function guard(socket, other) {
  if (socket[guarded] || socket.listenerCount("error") > 0) return;
  socket[guarded] = true;
  socket.on("error", () => other.destroy());
}

net.Socket.prototype.pipe = function pipeWithFixes(destination, options) {
  if (destination instanceof net.Socket) {
    // Before pipe() adds its own listener, which rethrows when it is the only one.
    guard(this, destination);
    guard(destination, this);
    this.setNoDelay(true);
    destination.setNoDelay(true);
  }
  return pipe.call(this, destination, options);
};
