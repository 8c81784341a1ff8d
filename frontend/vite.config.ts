import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const workerOrigin = "http://127.0.0.1:8787";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../dist/client", import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    // The API and the built preview runtime both come from the Worker.
    proxy: {
      "/api": { target: workerOrigin, changeOrigin: true },
      "/preview/runtime.js": { target: workerOrigin, changeOrigin: true },
    },
  },
});
