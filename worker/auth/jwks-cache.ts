/**
 * The Supabase project's JWKS, cached so verifying a token almost never
 * costs a network call.
 *
 * Workers isolates are short-lived, so the keys live in two layers: the
 * isolate's memory (free) and KV (survives isolates and is shared by every
 * isolate of a colo). A token whose `kid` is unknown may mean the project
 * rotated its keys, so it triggers one refetch; a cooldown stops random
 * `kid`s from forcing a fetch per request, and concurrent misses share one
 * fetch. The cooldown is measured from the document's `fetchedAtMs`, which
 * KV carries too, so a fresh isolate does not refetch either.
 */
import type { JWK } from "jose";
import { logger } from "../logger.ts";

export type JwksDocument = { keys: JWK[] };

type CachedJwks = { keys: JWK[]; fetchedAtMs: number };

/** Supabase's edge and auth-js both cache the JWKS for 10 minutes. */
export const JWKS_FRESH_MS = 10 * 60 * 1000;
/** The shortest gap between two fetches, whatever `kid`s arrive. */
export const JWKS_REFETCH_COOLDOWN_MS = 30 * 1000;
const KV_TTL_SECONDS = 24 * 60 * 60;
const FETCH_TIMEOUT_MS = 5_000;

export type JwksCacheOptions = {
  url: string;
  kv: KVNamespace | undefined;
  /** The clock, injectable so tests can move past the cooldown. */
  now?: () => number;
};

/** Thrown when no key material can be had at all (endpoint down, nothing cached). */
export class JwksUnavailableError extends Error {
  override readonly name = "JwksUnavailableError";
}

type IsolateEntry = { cached: CachedJwks | undefined; inflight: Promise<CachedJwks> | undefined };

/** Module scope on purpose: it lives as long as the isolate, across requests. */
const isolateCache = new Map<string, IsolateEntry>();

export class JwksCache {
  readonly #url: string;
  readonly #kv: KVNamespace | undefined;
  readonly #now: () => number;

  constructor(options: JwksCacheOptions) {
    this.#url = options.url;
    this.#kv = options.kv;
    this.#now = options.now ?? Date.now;
  }

  /** The public key with this `kid`, or undefined when the project has none. */
  async findKey(kid: string): Promise<JWK | undefined> {
    let cached = await this.#current();
    let key = cached.keys.find((candidate) => candidate.kid === kid);
    if (key) return key;

    if (this.#now() - cached.fetchedAtMs < JWKS_REFETCH_COOLDOWN_MS) return undefined;
    cached = await this.#shared(() => this.#fetchAndStore(cached));
    key = cached.keys.find((candidate) => candidate.kid === kid);
    return key;
  }

  /** Fresh keys from memory, else KV, else the endpoint. */
  async #current(): Promise<CachedJwks> {
    const entry = this.#entry();
    if (entry.cached && this.#isFresh(entry.cached)) return entry.cached;

    return this.#shared(async () => {
      const stored = await this.#readKv();
      if (stored && this.#isFresh(stored)) return stored;
      return this.#fetchAndStore(stored ?? entry.cached);
    });
  }

  /** Runs `load` once for every caller waiting on this URL, and keeps its result. */
  async #shared(load: () => Promise<CachedJwks>): Promise<CachedJwks> {
    const entry = this.#entry();
    if (!entry.inflight) {
      entry.inflight = load()
        .then((cached) => {
          entry.cached = cached;
          return cached;
        })
        .finally(() => {
          entry.inflight = undefined;
        });
    }
    return entry.inflight;
  }

  /** Fetches the document; on failure keeps serving `previous`, as stale keys beat none. */
  async #fetchAndStore(previous: CachedJwks | undefined): Promise<CachedJwks> {
    let document: JwksDocument;
    try {
      document = await fetchJwks(this.#url);
    } catch (error) {
      logger.warn("auth.jwks_fetch_failed", { error: String(error), hasStaleKeys: !!previous });
      if (previous) return { ...previous, fetchedAtMs: this.#now() };
      throw new JwksUnavailableError("the JWKS endpoint did not answer", { cause: error });
    }

    const cached: CachedJwks = { keys: document.keys, fetchedAtMs: this.#now() };
    await this.#kv
      ?.put(this.#kvKey(), JSON.stringify(cached), { expirationTtl: KV_TTL_SECONDS })
      .catch((error: unknown) => logger.warn("auth.jwks_store_failed", { error: String(error) }));
    return cached;
  }

  async #readKv(): Promise<CachedJwks | undefined> {
    if (!this.#kv) return undefined;
    const stored = await this.#kv.get<CachedJwks>(this.#kvKey(), "json").catch(() => null);
    return stored && Array.isArray(stored.keys) ? stored : undefined;
  }

  #isFresh(cached: CachedJwks): boolean {
    return this.#now() - cached.fetchedAtMs < JWKS_FRESH_MS;
  }

  #entry(): IsolateEntry {
    let entry = isolateCache.get(this.#url);
    if (!entry) {
      entry = { cached: undefined, inflight: undefined };
      isolateCache.set(this.#url, entry);
    }
    return entry;
  }

  #kvKey(): string {
    return `auth:jwks:${this.#url}`;
  }
}

async function fetchJwks(url: string): Promise<JwksDocument> {
  const response = await fetch(url, {
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`JWKS answered ${response.status}`);

  const body = (await response.json()) as Partial<JwksDocument>;
  if (!Array.isArray(body.keys)) throw new Error("JWKS has no keys array");
  return { keys: body.keys };
}

/** Tests only: forget what this isolate holds, as a new isolate would. */
export function forgetIsolateJwks(): void {
  isolateCache.clear();
}
