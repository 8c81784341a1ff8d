/**
 * Files a template adds when an answer leaves them out: model answers for a
 * React app are usually just `src/App.tsx`, but a dev server also needs a
 * package.json, an index.html and an entry. The answer's own files win.
 */
import type { SandboxFile, SandboxTemplateId } from "../../contract/sandbox.ts";

const VITE_REACT: SandboxFile[] = [
  {
    path: "package.json",
    content: `${JSON.stringify(
      {
        name: "kiln-app",
        private: true,
        type: "module",
        scripts: { dev: "vite", build: "vite build" },
        dependencies: { react: "19.2.0", "react-dom": "19.2.0" },
        devDependencies: { vite: "7.1.0", "@vitejs/plugin-react": "5.0.0" },
      },
      null,
      2,
    )}\n`,
  },
  {
    path: "index.html",
    content:
      '<!doctype html>\n<html><head><meta charset="utf-8"><title>Kiln app</title></head>\n' +
      '<body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>\n',
  },
  {
    path: "src/main.tsx",
    content:
      'import { createRoot } from "react-dom/client";\nimport App from "./App.tsx";\n\n' +
      'createRoot(document.getElementById("root")!).render(<App />);\n',
  },
  {
    path: "vite.config.js",
    content:
      'import react from "@vitejs/plugin-react";\nimport { defineConfig } from "vite";\n\n' +
      "export default defineConfig({ plugins: [react()], server: { allowedHosts: true } });\n",
  },
];

const NEXTJS: SandboxFile[] = [
  {
    path: "package.json",
    content: `${JSON.stringify(
      {
        name: "kiln-next-app",
        private: true,
        scripts: { dev: "next dev", build: "next build", start: "next start" },
        dependencies: { next: "15.5.0", react: "19.2.0", "react-dom": "19.2.0" },
      },
      null,
      2,
    )}\n`,
  },
];

const SCAFFOLDS: Record<SandboxTemplateId, SandboxFile[]> = {
  python: [],
  "vite-react": VITE_REACT,
  nextjs: NEXTJS,
};

export function withScaffold(template: SandboxTemplateId, files: SandboxFile[]): SandboxFile[] {
  const paths = new Set(files.map((file) => file.path));
  const missing = SCAFFOLDS[template].filter((file) => !paths.has(file.path));
  return [...missing, ...files];
}
