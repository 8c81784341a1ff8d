/**
 * Preloaded into wrangler's Node processes by local/stack.ts (NODE_OPTIONS).
 *
 * miniflare's local Hyperdrive proxy (HyperdriveProxyController in
 * miniflare 4.20260426) joins workerd's socket and the database's with
 * `a.pipe(b); b.pipe(a)` and no "error" listener on either, so one reset
 * connection (ECONNRESET, or EPIPE on a write after the other side closed)
 * is an uncaught error that ends wrangler, and with it the whole local
 * stack. Under load the embedded database does reset connections. This
 * gives a piped socket that has no "error" listener one that destroys the
 * other side instead, which is what the proxy should do; the query on that
 * connection fails and Kiln answers as it does for any database error.
 * Sockets that already handle their errors are left alone. Newer wrangler
 * versions skip this proxy when sslmode=disable.
 */
const net = require("node:net");

const pipe = net.Socket.prototype.pipe;
net.Socket.prototype.pipe = function pipeWithErrors(destination, options) {
  if (destination instanceof net.Socket && this.listenerCount("error") === 0) {
    this.on("error", () => destination.destroy());
  }
  return pipe.call(this, destination, options);
};
