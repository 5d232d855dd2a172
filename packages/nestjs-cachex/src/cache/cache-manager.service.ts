import { Inject, Injectable } from '@nestjs/common';
import { CacheBackend, type KeyValueStore } from '../backends/cache-backend.js';

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
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(@Inject(CacheBackend) backend: CacheBackend) {
    this.store = backend.namespace('data');
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
   * Concurrent callers for one key share one computation; a failed
   * computation is not stored, and its error reaches every caller.
   */
  getOrSet<T>(key: string, compute: () => Promise<T>, ttlSeconds?: number): Promise<T> {
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const run = (async () => {
      const cached = await this.get<T>(key);
      if (cached !== undefined) return cached;
      const value = await compute();
      await this.set(key, value, ttlSeconds);
      return value;
    })().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, run);
    return run;
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
