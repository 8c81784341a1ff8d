/**
 * Canned answers for the server templates, which run in an E2B sandbox (the
 * E2B simulator locally): a Python script with a chart and a table, and a
 * Next.js page. Kept apart from the browser apps in app-sources.ts.
 */
import type { CodeFile } from "./app-sources.ts";

export const PYTHON_EXPLANATION =
  "Here’s a short Python script ✨ It prints a summary, draws the monthly sales as a bar chart and shows them as a table 🚀";

export const PYTHON_MAIN: CodeFile = {
  language: "python",
  path: "main.py",
  code: `
import sys
import pandas as pd
import matplotlib.pyplot as plt

df = pd.DataFrame({"month": ["Jan", "Feb"], "sales": [120, 135]})
print("Monthly sales: 2 months, 255 in total")
print("note: February is still provisional", file=sys.stderr)

plt.bar(df["month"], df["sales"])
plt.title("Sales per month")
plt.show()

df
`,
};

export const NEXT_EXPLANATION =
  "Here’s a Next.js page ✨ It renders on the server and greets you with today’s tip 🚀";

export const NEXT_PAGE: CodeFile = {
  language: "tsx",
  path: "app/page.tsx",
  code: `
export default function Page() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", padding: "3rem" }}>
      <h1>Hello from Next.js</h1>
      <p>Tip of the day: server components fetch data without client JavaScript.</p>
    </main>
  );
}
`,
};

export const NEXT_LAYOUT: CodeFile = {
  language: "tsx",
  path: "app/layout.tsx",
  code: `
import type { ReactNode } from "react";

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
`,
};
