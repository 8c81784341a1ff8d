/**
 * Expand/contract for Postgres during a gradual rollout: a migration runs
 * before the new Worker version takes traffic, while the previous version is
 * still serving (and may be rolled back to), so a migration may only add.
 * A statement that removes or reshapes what running code uses (drop, rename,
 * a type change, a new NOT NULL without a default) must come in a later
 * release, once no deployed version uses the old shape, and must say so in a
 * `-- contract: <why it is safe now>` comment right above it.
 */

export type UnsafeStatement = { file: string; line: number; rule: string; statement: string };

const RULES: Array<[string, RegExp]> = [
  ["drops a table or view", /\bdrop\s+(table|view|materialized\s+view)\b/i],
  ["drops a column", /\bdrop\s+column\b/i],
  ["renames a table or column", /\brename\s+(column\s+|to\s+)/i],
  ["changes a column's type", /\balter\s+column\s+\S+\s+(set\s+data\s+)?type\b/i],
  ["makes an existing column NOT NULL", /\balter\s+column\s+\S+\s+set\s+not\s+null\b/i],
  [
    "adds a NOT NULL column without a default",
    /\badd\s+column\b(?![^;]*\bdefault\b)[^;]*\bnot\s+null\b/i,
  ],
  ["empties a table", /\btruncate\b/i],
];

export function unsafeStatements(file: string, sql: string): UnsafeStatement[] {
  const found: UnsafeStatement[] = [];
  let offset = 0;

  for (const chunk of sql.split(";")) {
    const startLine = sql.slice(0, offset).split("\n").length;
    offset += chunk.length + 1;

    const lines = chunk.split("\n");
    const code = lines.map((line) => line.replace(/--.*$/, "")).join("\n");
    const contracted = lines.some((line) => /^\s*--\s*contract:\s*\S/i.test(line));
    if (contracted) continue;

    for (const [rule, pattern] of RULES) {
      if (!pattern.test(code)) continue;
      const firstCodeLine = lines.findIndex((line) => line.replace(/--.*$/, "").trim() !== "");
      found.push({
        file,
        line: startLine + Math.max(firstCodeLine, 0),
        rule,
        statement: code.trim().split("\n")[0] ?? "",
      });
    }
  }
  return found;
}
