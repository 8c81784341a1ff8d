import { startLocalDatabase } from "/work/main/local/pglite-server.ts";
const db = await startLocalDatabase({ port: 54329 });
console.log("DB", db.url);
setInterval(() => {}, 1 << 30);
