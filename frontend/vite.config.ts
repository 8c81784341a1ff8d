import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const workerOrigin = "http://127.0.0.1:8787";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../dist/client", import.meta.url)),
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
