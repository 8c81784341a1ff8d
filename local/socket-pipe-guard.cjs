/**
 * Preloaded into wrangler's Node processes by local/stack.ts (NODE_OPTIONS).
 *
 * miniflare's local Hyperdrive proxy (HyperdriveProxyController in
 * miniflare 4.20260426) joins workerd's socket and the database's with
 * `a.pipe(b); b.pipe(a)` and no "error" listener on either, so one reset
 * connection (ECONNRESET, or EPIPE on a write after the other side closed)
 * is an uncaught error that ends wrangler, and with it the whole local
 * stack. Under load the embedded database does reset connections. This
 * gives both sockets of a pipe that have no "error" listener one that
 * destroys the other side instead, which is what the proxy should do; the query on that
 * connection fails and Kiln answers as it does for any database error.
 * Sockets that already handle their errors are left alone. Newer wrangler
 * versions skip this proxy when sslmode=disable.
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

net.Socket.prototype.pipe = function pipeWithErrors(destination, options) {
  if (destination instanceof net.Socket) {
    // Before pipe() adds its own listener, which rethrows when it is the only one.
    guard(this, destination);
    guard(destination, this);
  }
  return pipe.call(this, destination, options);
};
