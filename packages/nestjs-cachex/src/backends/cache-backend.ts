import { CacheXConfigError, CacheXUnsupportedError } from '../common/errors.js';
import { type CacheEntry } from './cache-entry.js';

/**
 * The namespace of locks (fill and `getOrSet` coalescing across instances):
 * short-lived keys a backend may keep apart from sessions and data, so that
 * a burst of locks never evicts a session.
 */
export const LOCK_NAMESPACE = 'lock';

/** Options every backend takes. */
export interface CacheBackendOptions {
  /**
   * Prefix of every key the backend writes on its server (default `'cachex:'`),
   * so apps with different prefixes can share one Redis or Memcached.
   */
  keyPrefix?: string;
}

/** Options of `clearPath`. */
export interface ClearPathOptions {
  /** Also remove the entries of that path with a query string (default `true`). */
  includeQuery?: boolean;
  /** Mark the entries stale instead of deleting them (they may still be served stale). */
  soft?: boolean;
}

/** Options of `invalidateTags`. */
export interface InvalidateTagsOptions {
  /** Mark the entries stale instead of deleting them (they may still be served stale). */
  soft?: boolean;
}

/** What a backend can tell of its response cache's size (see `CacheBackend.stats`). */
export interface CacheBackendStats {
  /** Response-cache entries held now. */
  entries?: number;
  /** Bytes those entries take, as the backend counts them. */
  bytes?: number;
}

/**
 * A string key-value store kept apart from the response cache, inside the
 * backend's `keyPrefix`. `CacheManager`, sessions and locks live in their own
 * namespaces, so `CacheBackend.clear()` never touches them. Lifetimes are
 * whole seconds (rounded up).
 */
export interface KeyValueStore {
  /** The value under `key`, or `undefined`. */
  get(key: string): Promise<string | undefined>;
  /** Stores the value, for `ttlSeconds` when given (else until evicted). */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Stores the value only when the key is absent; `true` when it was stored (a lock taken). */
  add(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /**
   * Stores the value only while the key still exists, in one step; `false`
   * when it did not (a session deleted meanwhile is never written back).
   */
  replace(key: string, value: string, ttlSeconds?: number): Promise<boolean>;
  /** Deletes the key; `true` when it existed. */
  delete(key: string): Promise<boolean>;
  /** Deletes the key only while it still holds `value` (a lock released by its owner only). */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  /** Adds a member to the set at `key`; the set lives at least `ttlSeconds` from now. */
  setAdd(key: string, member: string, ttlSeconds?: number): Promise<void>;
  /** Removes a member from the set at `key` (nothing when it is not there). */
  setRemove(key: string, member: string): Promise<void>;
  /** The members of the set at `key` (empty when there is none). */
  setMembers(key: string): Promise<string[]>;
  /** Removes every key of this namespace; the count, or -1 when the backend cannot count. */
  clear(): Promise<number>;
  /** Removes this namespace's keys matching the glob; the count, or -1 when it cannot count. */
  clearPattern(glob: string): Promise<number>;
}

/**
 * Where responses are cached: the DI token to inject and the type to extend.
 * Keys passed to and returned by these methods are logical keys (no prefix);
 * the response-cache methods act on response-cache entries only.
 *
 * @example
 * constructor(private readonly cache: CacheBackend) {}
 * await this.cache.clearPath('/products/42');
 */
export abstract class CacheBackend {
  /** The entry stored under `key`, or `undefined`. */
  abstract get(key: string): Promise<CacheEntry | undefined>;
  /** Stores `entry` for `ttlSeconds` (default: its freshness plus its stale window). */
  abstract set(key: string, entry: CacheEntry, ttlSeconds?: number): Promise<void>;
  /** Removes one entry; `true` when there was one. */
  abstract delete(key: string): Promise<boolean>;
  /** Removes every response-cache entry of this backend (sessions and data stay). */
  abstract clear(): Promise<number>;
  /** Removes (or, with `soft`, marks stale) a path's entries for every method, host and query. */
  abstract clearPath(path: string, options?: ClearPathOptions): Promise<number>;
  /** Removes the entries whose path matches the glob (`*`, `?`, `[abc]`). */
  abstract clearPattern(glob: string): Promise<number>;
  /**
   * Removes (or, with `soft`, marks stale) every entry carrying one of the
   * tags. A backend that does not override it refuses with
   * `CacheXUnsupportedError`.
   */
  invalidateTags(_tags: string[], _options?: InvalidateTagsOptions): Promise<number> {
    return Promise.reject(
      new CacheXUnsupportedError(
        'invalidateTags',
        this.constructor.name,
        'override invalidateTags() to invalidate entries by tag',
      ),
    );
  }
  /** Every logical key of the response cache. */
  abstract keys(): AsyncIterable<string> | Promise<string[]>;
  /**
   * A key-value store of its own inside this backend (for `CacheManager`,
   * sessions, locks). A backend that does not override it still serves the
   * response cache, with concurrent misses coalesced in the process only;
   * `CacheManager` and `SessionModule` then refuse it with `CacheXConfigError`.
   */
  namespace(_name: string): KeyValueStore {
    throw new CacheXUnsupportedError(
      'namespace',
      this.constructor.name,
      'override namespace() to keep CacheManager data, sessions and cross-instance locks in it',
    );
  }
  /**
   * What the backend can tell cheaply of its response cache's size, for
   * `CacheXMetrics`: never a scan of the keys. The default tells nothing
   * (`{}`); a backend that knows its counts overrides it.
   */
  async stats(): Promise<CacheBackendStats> {
    return {};
  }
  /** Releases connections and timers. Clients the backend did not create are left open. */
  abstract close(): Promise<void>;
}

/**
 * The backend's namespace `name`, or `undefined` when the backend has none
 * (it does not override `namespace()`).
 */
export function optionalNamespace(backend: CacheBackend, name: string): KeyValueStore | undefined {
  try {
    return backend.namespace(name);
  } catch (error) {
    if (error instanceof CacheXUnsupportedError) return undefined;
    throw error;
  }
}

/** The backend's namespace `name`, or a `CacheXConfigError` for `user` naming `namespace()`. */
export function requiredNamespace(
  backend: CacheBackend,
  name: string,
  user: string,
): KeyValueStore {
  const store = optionalNamespace(backend, name);
  if (store) return store;
  throw new CacheXConfigError(
    `${user} needs a backend with namespace(): ${backend.constructor.name} does not override it. Implement namespace() (see "Writing a backend"), or use MemoryBackend, RedisBackend or MemcachedBackend`,
  );
}
