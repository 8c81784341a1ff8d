/**
 * People are named in logs, spans and error reports only by a salted hash:
 * enough to see that one person hits the same failure again, not enough to
 * say who they are once the line has left Kiln.
 */
const DEFAULT_SALT = "kiln-log-hash";

export async function hashUser(userId: string | undefined, salt: string | undefined) {
  if (!userId) return undefined;
  const bytes = new TextEncoder().encode(`${salt || DEFAULT_SALT}:${userId}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest.slice(0, 8), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
