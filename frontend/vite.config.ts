import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const workerOrigin = "http://127.0.0.1:8787";

// `npm run dev` builds into its own folder (KILN_CLIENT_OUT_DIR) that its
// wrangler serves, so `npm run build` (and `npm test`) can run beside it.
const outDir =
  process.env.KILN_CLIENT_OUT_DIR ?? fileURLToPath(new URL("../dist/client", import.meta.url));

// Vite's build lock lives in cacheDir and refuses a second build of the same
// config and mode there ("Found another Vite build process"): one cacheDir per
// output folder makes the lock guard the folder, not the whole project.
const cacheDir = fileURLToPath(
  new URL(
    `../node_modules/.vite/client-${createHash("sha256").update(outDir).digest("hex").slice(0, 12)}`,
    import.meta.url,
  ),
);

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  cacheDir,
  plugins: [react()],
  build: {
    outDir,
    // `npm run dev` rebuilds in watch mode into the folder that also holds the
    // separately built preview runtime; emptying it there would delete that.
    emptyOutDir: process.env.KILN_WATCH_BUILD !== "1",
  },
  server: {
    // The API and the built preview runtime both come from the Worker.
    proxy: {
      "/api": { target: workerOrigin, changeOrigin: true },
      "/preview/runtime.js": { target: workerOrigin, changeOrigin: true },
    },
  },
});
