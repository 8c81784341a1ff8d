/**
 * The benchmark's own calls to the stack (set-up, control routes, reads of
 * usage), as opposed to the load it measures: these may be sent again.
 */

/**
 * fetch, once more when the connection was reset before an answer: undici
 * reuses a kept-alive connection that workerd may have just closed ("fetch
 * failed", seen once in a full run). Only for calls that may safely run twice.
 */
export async function fetchAgainOnReset(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code !== "UND_ERR_SOCKET" && code !== "ECONNRESET") throw error;
    return fetch(url, init);
  }
}

/**
 * As fetchAgainOnReset, and sent again on 503 once a second, for up to 30 s:
 * routes that read or write Postgres answer 503 while the write queue drains
 * an earlier figure's turns into the one-session embedded database.
 */
export async function fetchUntilNot503(url: string, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetchAgainOnReset(url, init);
    if (response.status !== 503 || attempt >= 30) return response;
    await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
