/**
 * One stored HTTP response, as the `CacheInterceptor` writes it and a
 * `CacheBackend` keeps it. Times are epoch milliseconds, lifetimes seconds.
 */
export interface CacheEntry {
  /** The status code sent by the handler (200 unless `statuses` allows more). */
  status: number;
  /**
   * Response headers set by the handler, names in lower case, hop-by-hop
   * headers and `set-cookie` removed. Includes `content-type`, `etag` and
   * `last-modified` (the interceptor fills the last two when the handler did not).
   */
  headers: Record<string, string>;
  /** The body bytes exactly as they are sent. */
  body: Buffer;
  /**
   * The body compressed once per content coding (`br`, `gzip`), in the
   * server's order of preference, when it was stored (module option
   * `compression`); each request gets the best one its `Accept-Encoding`
   * allows, or `body`.
   */
  encoded?: Record<string, Buffer>;
  /** When the entry was stored, in epoch milliseconds; `Age` counts from here. */
  storedAt: number;
  /** Freshness lifetime in seconds (`max-age`). */
  maxAge: number;
  /** Seconds after `maxAge` during which a stale entry is served while one refresh runs. */
  staleWhileRevalidate?: number;
  /** Seconds after `maxAge` during which a stale entry replaces a failing handler's answer. */
  staleIfError?: number;
  /** Tags the entry can be invalidated by (`invalidateTags`). */
  tags?: string[];
  /** The request path the entry answers; backends index entries by it for `clearPath`. */
  path?: string;
  /** The query string (without `?`) the entry answers. */
  query?: string;
  /** Set by a soft purge: the entry is stale from now on, whatever its age. */
  invalidated?: boolean;
  /**
   * The request headers (lower-case names) this response varies on, with the
   * values of the request it was stored for; only a request with the same
   * values is answered from it.
   */
  varyValues?: Record<string, string>;
  /**
   * Set on a marker, not a response: the handler's `Vary` named these request
   * headers beyond the route's own, so the responses are stored under keys
   * that carry their values. A marker has no body and is never sent.
   */
  varyOn?: string[];
}

/** Seconds a backend keeps an entry: its freshness plus the longest stale window. */
export function entryLifetimeSeconds(entry: CacheEntry): number {
  return entry.maxAge + Math.max(entry.staleWhileRevalidate ?? 0, entry.staleIfError ?? 0);
}

/**
 * What an entry can do for a request at `now` — the one decision every path
 * that reads the cache makes the same way (RFC 9111 §4.2, RFC 5861):
 * - `fresh`: within `maxAge` and not soft-purged; `ttl` is whole seconds of
 *   freshness left (the `Cache-Status` ttl);
 * - `stale`: past it but within `staleWhileRevalidate`: served while one
 *   refresh runs; `ttl` is minus the whole seconds it is stale;
 * - `stale-if-error`: within `staleIfError` only: the handler runs, and the
 *   entry answers if the handler fails;
 * - `miss`: nothing to serve.
 */
export type EntryState =
  | { kind: 'fresh'; ttl: number }
  | { kind: 'stale'; ttl: number }
  | { kind: 'stale-if-error' }
  | { kind: 'miss' };

/**
 * Decides what an entry can do at `now`, in epoch milliseconds (see
 * `EntryState`); the cache reads `now` from its `Clock`.
 */
export function entryState(entry: CacheEntry | undefined, now: number): EntryState {
  if (entry === undefined) return MISS;
  const freshMs = entry.maxAge * 1000 - (now - entry.storedAt);
  if (freshMs > 0 && !entry.invalidated) return { kind: 'fresh', ttl: Math.floor(freshMs / 1000) };
  const staleMs = Math.max(0, -freshMs);
  if (staleMs < (entry.staleWhileRevalidate ?? 0) * 1000) {
    return { kind: 'stale', ttl: -Math.ceil(staleMs / 1000) };
  }
  if (staleMs < (entry.staleIfError ?? 0) * 1000) return STALE_IF_ERROR;
  return MISS;
}

const MISS: EntryState = { kind: 'miss' };
const STALE_IF_ERROR: EntryState = { kind: 'stale-if-error' };

/**
 * Whether an entry may still be served as fresh at `now` (epoch ms): within
 * its `maxAge` and not soft-purged.
 */
export function isFresh(entry: CacheEntry, now: number): boolean {
  return entryState(entry, now).kind === 'fresh';
}
