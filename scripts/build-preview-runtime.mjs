/**
 * Builds the preview runtime (frontend/preview-runtime) into one IIFE at
 * dist/client/preview/runtime.js. The preview iframe loads it by absolute URL,
 * so it must carry React, react-dom and sucrase itself: no CDN, works offline.
 * Runs after the app build, which empties dist/client; this one must not.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

const runtimeDirectory = fileURLToPath(new URL("../frontend/preview-runtime/", import.meta.url));
// Beside the app build: `npm run dev` builds both into its own folder.
const outDir = process.env.KILN_CLIENT_OUT_DIR
  ? join(process.env.KILN_CLIENT_OUT_DIR, "preview")
  : fileURLToPath(new URL("../dist/client/preview/", import.meta.url));

await build({
  configFile: false,
  root: runtimeDirectory,
  logLevel: "info",
  // Library mode leaves process.env alone; React must see production.
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  build: {
    outDir,
    emptyOutDir: false,
    minify: true,
    sourcemap: false,
    copyPublicDir: false,
    lib: {
      entry: `${runtimeDirectory}index.ts`,
      formats: ["iife"],
      name: "KilnPreviewRuntime",
      fileName: () => "runtime.js",
    },
  },
});
