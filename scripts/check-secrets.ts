/**
 * `npm run check:secrets` (also part of `npm run lint` and CI): fails when a
 * key-shaped string is in a file git would commit, or in any version of a
 * file in the history of HEAD. Prints where and which
 * kind, never the key itself; see scripts/secret-scan/scan.ts for the
 * allow-list.
 */
import { fileURLToPath } from "node:url";
import { ALLOW_FILE, scanHistory, scanRepository } from "./secret-scan/scan.ts";

const root = process.argv[2] ?? fileURLToPath(new URL("..", import.meta.url));
// The files as they are, and every earlier version of them: a key deleted in
// a later commit is still in the repository.
const findings = [...(await scanRepository(root)), ...(await scanHistory(root))];

if (findings.length === 0) {
  console.log("secret scan: no key-shaped strings found");
} else {
  for (const finding of findings) {
    console.error(
      `${finding.path}:${finding.line}: ${finding.description}: ${finding.redacted} [fingerprint ${finding.fingerprint}]`,
    );
  }
  console.error(`
secret scan: ${findings.length} key-shaped string(s). Remove them and rotate any real key.
A deliberate fixture: add "secret-scan: allow" on its line, or
"fingerprint <hex>  # why" to ${ALLOW_FILE}.`);
  process.exitCode = 1;
}
