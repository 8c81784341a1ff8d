/** The embedded Postgres (PGlite, in memory) in its own process, so the benchmark can stop it. */
import { startLocalDatabase } from "../../local/pglite-server.ts";

const database = await startLocalDatabase();
process.send?.({ url: database.url });

process.once("SIGTERM", () => {
  void database.stop().finally(() => process.exit(0));
});
