import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CacheBackend,
  type KeyValueStore,
  LOCK_NAMESPACE,
  requiredNamespace,
} from '../backends/cache-backend.js';
import { CacheXConfigError } from '../common/errors.js';
import { RESOLVED_CACHEX_OPTIONS } from './cache.constants.js';
import { type ResolvedCacheXOptions } from './cache-module.options.js';
import { BackendCalls } from './backend-call.js';
import { BackendLock } from './backend-lock.js';

/**
 * A small typed cache for application data (not HTTP responses), kept in the
 * module's backend under its own namespace. Values are JSON-serialisable;
 * ttls are seconds (none: kept until evicted).
 *
 * @example
 * const user = await this.cache.getOrSet(`user:${id}`, () => this.users.find(id), 300);
 */
@Injectable()
export class CacheManager {
  private readonly store: KeyValueStore;
  private readonly locks: BackendLock;
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(CacheBackend) backend: CacheBackend,
    @Inject(RESOLVED_CACHEX_OPTIONS) options: ResolvedCacheXOptions,
    calls: BackendCalls,
  ) {
    // A backend without namespaces still serves the response cache: CacheManager then refuses
    // every call with the CacheXConfigError that names what the backend lacks.
    let stores: [KeyValueStore, KeyValueStore];
    try {
      stores = [
        requiredNamespace(backend, 'data', 'CacheManager'),
        requiredNamespace(backend, LOCK_NAMESPACE, 'CacheManager'),
      ];
    } catch (error) {
      if (!(error instanceof CacheXConfigError)) throw error;
      new Logger(CacheManager.name).warn(error.message);
      stores = [refusingStore(error), refusingStore(error)];
    }
    this.store = stores[0];
    this.locks = new BackendLock(stores[1], calls, options.coalesceTimeoutMs);
  }

  /** The value stored under `key`, or `undefined`. */
  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.store.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  /** Stores a JSON-serialisable value for `ttlSeconds` (none: until evicted). */
  async set<T>(key: string, value: T, ttlSeconds?: number): Promise<void> {
    const raw = JSON.stringify(value);
    if (raw === undefined) throw new TypeError(`CacheManager.set(${key}): value is not JSON`);
    await this.store.set(key, raw, ttlSeconds);
  }

  /** Removes `key`; `true` when it was there. */
  delete(key: string): Promise<boolean> {
    return this.store.delete(key);
  }

  /** Whether a value is stored under `key`. */
  async has(key: string): Promise<boolean> {
    return (await this.store.get(key)) !== undefined;
  }

  /**
   * The stored value, or the result of `compute`, stored for `ttlSeconds`.
   * Concurrent callers for one key share one computation — in this process,
   * and across instances sharing the backend through a lock that expires on
   * its own (waiters poll for the value at most `coalesceTimeoutMs`, then
   * compute it themselves). A failed computation is not stored, and its
   * error reaches every caller in this process.
   */
  getOrSet<T>(key: string, compute: () => Promise<T>, ttlSeconds?: number): Promise<T> {
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const run = this.computeOnce(key, compute, ttlSeconds).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, run);
    return run;
  }

  private async computeOnce<T>(
    key: string,
    compute: () => Promise<T>,
    ttlSeconds?: number,
  ): Promise<T> {
    const cached = await this.get<T>(key);
    if (cached !== undefined) return cached;
    const lock = `data:${key}`;
    // `undefined`: the backend could not take it, which is no reason not to compute.
    const token = await this.locks.take(lock);
    if (token === null) {
      const computedElsewhere = await this.locks.waitForHolder(lock, () => this.get<T>(key));
      if (computedElsewhere !== undefined) return computedElsewhere;
    }
    try {
      // Another instance may have stored it between our miss and our lock.
      const stored = token ? await this.get<T>(key) : undefined;
      if (stored !== undefined) return stored;
      const value = await compute();
      await this.set(key, value, ttlSeconds);
      return value;
    } finally {
      if (token) await this.locks.release(lock, token);
    }
  }

  /** Removes the keys matching the glob (`*`, `?`, `[abc]`); the count, or -1. */
  clearPattern(glob: string): Promise<number> {
    return this.store.clearPattern(glob);
  }

  /** Removes every value of the `CacheManager` (responses and sessions stay). */
  clear(): Promise<number> {
    return this.store.clear();
  }
}

/** A store whose every call rejects with `error`. */
function refusingStore(error: Error): KeyValueStore {
  return new Proxy({} as KeyValueStore, { get: () => () => Promise.reject(error) });
}
