import { Inject, Injectable } from '@nestjs/common';
import {
  CacheBackend,
  type KeyValueStore,
  LOCK_NAMESPACE,
  optionalNamespace,
  requiredNamespace,
} from '../backends/cache-backend.js';
import { RateLimitedLogger } from '../common/rate-limited-logger.js';
import { BackendCalls } from './backend-call.js';
import { BackendLock } from './backend-lock.js';
import { CacheManager } from './cache-manager.service.js';
import { RESOLVED_CACHEX_OPTIONS } from './cache.constants.js';
import { type ResolvedCacheXOptions } from './cache-module.options.js';

/** The namespace of what `@Cacheable` keeps beside its values: freshness markers and tag sets. */
const NAMESPACE = 'cacheable';
/** The lock of one refresh of a value (lock namespace; named apart from fill and data locks). */
const refreshLock = (key: string): string => `cacheable:refresh:${key}`;
const freshKey = (key: string): string => `fresh:${key}`;
const tagKey = (tag: string): string => `tag:${tag}`;

/** How one `@Cacheable` value is kept. */
export interface CachedValuePolicy {
  /** Seconds it is fresh (≥ 1). */
  ttl: number;
  /** Seconds after `ttl` it is returned while one refresh runs. */
  staleWhileRevalidate: number;
  /** The tags of a value computed for this call. */
  tagsOf(value: unknown): string[];
}

/** Thrown through `getOrSet` so that a result is returned but never stored. */
class NotStored {
  constructor(readonly value: undefined) {}
}

/** Carries the method's own error through `getOrSet`, told apart from the backend's. */
class MethodFailed {
  constructor(readonly error: unknown) {}
}

/**
 * The values of `@Cacheable` methods: kept in `CacheManager` under their key
 * (so `CacheManager.get(key)` reads them and `delete(key)` drops them), with
 * `getOrSet`'s coalescing in the process and across instances. A value with
 * a `staleWhileRevalidate` window has a freshness marker of its own, which a
 * soft eviction removes; tags are sets of keys in the backend, so any
 * instance can evict by tag.
 */
@Injectable()
export class CachedValues {
  private readonly log = new RateLimitedLogger(CachedValues.name);
  private readonly store: KeyValueStore | undefined;
  private readonly refreshing = new Set<string>();
  /** Cross-instance refresh locks (none held when the backend has no namespace). */
  private readonly locks: BackendLock;

  constructor(
    @Inject(CacheBackend) private readonly backend: CacheBackend,
    @Inject(RESOLVED_CACHEX_OPTIONS) options: ResolvedCacheXOptions,
    private readonly manager: CacheManager,
    calls: BackendCalls,
  ) {
    this.store = optionalNamespace(backend, NAMESPACE);
    this.locks = new BackendLock(
      optionalNamespace(backend, LOCK_NAMESPACE),
      calls,
      options.coalesceTimeoutMs,
    );
  }

  /** Throws `CacheXConfigError` naming `namespace()` when the backend cannot keep values. */
  requireNamespace(user: string): void {
    requiredNamespace(this.backend, NAMESPACE, user);
  }

  /**
   * The value kept under `key`, or `compute`'s result kept for the policy's
   * lifetime; `undefined` is returned but never kept, and an error is thrown
   * to every caller sharing the computation, never kept. A stale value
   * (within `staleWhileRevalidate`) is returned at once while one refresh
   * runs. When the backend fails, `compute` answers on its own.
   */
  async get<T>(key: string, compute: () => Promise<T>, policy: CachedValuePolicy): Promise<T> {
    let computed: { value: T } | undefined;
    const computeOnce = async (): Promise<T> => {
      let value: T;
      try {
        value = await compute();
      } catch (error) {
        throw new MethodFailed(error);
      }
      computed = { value };
      if (value === undefined) throw new NotStored(undefined);
      await this.mark(key, policy, value);
      return value;
    };
    try {
      if (policy.staleWhileRevalidate > 0) {
        const [value, fresh] = await Promise.all([
          this.manager.get<T>(key),
          this.store!.get(freshKey(key)),
        ]);
        if (value !== undefined) {
          if (fresh === undefined) this.refresh(key, compute, policy);
          return value;
        }
      }
      const lifetime = policy.ttl + policy.staleWhileRevalidate;
      return await this.manager.getOrSet(key, computeOnce, lifetime);
    } catch (error) {
      if (error instanceof MethodFailed) throw error.error;
      if (error instanceof NotStored) return error.value as T;
      this.log.error('get', `@Cacheable ${key}: the backend failed; calling the method`, error);
      return computed ? computed.value : compute();
    }
  }

  /** Removes a value; `soft` keeps one with a stale window, stale, until it is refreshed. */
  async evict(key: string, soft = false): Promise<void> {
    if (soft && this.store && (await this.store.delete(freshKey(key)))) return;
    await this.manager.delete(key);
  }

  /** Evicts (or, with `soft`, marks stale) the values carrying any of the tags. */
  async invalidateTags(tags: readonly string[], soft = false): Promise<void> {
    const store = this.store;
    if (!store) return;
    await Promise.all(
      tags.map(async (tag) => {
        const keys = await store.setMembers(tagKey(tag));
        await Promise.all(keys.map((key) => this.evict(key, soft)));
        if (!soft) await store.delete(tagKey(tag));
      }),
    );
  }

  /** Records a new value's freshness and tags (before the value is stored). */
  private async mark(key: string, policy: CachedValuePolicy, value: unknown): Promise<void> {
    const store = this.store!;
    const lifetime = policy.ttl + policy.staleWhileRevalidate;
    await Promise.all([
      ...(policy.staleWhileRevalidate > 0 ? [store.set(freshKey(key), '1', policy.ttl)] : []),
      ...policy.tagsOf(value).map((tag) => store.setAdd(tagKey(tag), key, lifetime)),
    ]);
  }

  /** One refresh of a stale value per key in the process, and one across instances by a lock. */
  private refresh<T>(key: string, compute: () => Promise<T>, policy: CachedValuePolicy): void {
    if (this.refreshing.has(key)) return;
    this.refreshing.add(key);
    void this.refreshOnce(key, compute, policy)
      .catch((error: unknown) =>
        this.log.error(
          'refresh',
          `@Cacheable ${key}: refresh failed; the stale value stays`,
          error,
        ),
      )
      .finally(() => this.refreshing.delete(key));
  }

  private async refreshOnce<T>(
    key: string,
    compute: () => Promise<T>,
    policy: CachedValuePolicy,
  ): Promise<void> {
    const lock = refreshLock(key);
    // Held elsewhere (`null`), or not to be asked (`undefined`): no refresh, the stale value stays.
    const token = await this.locks.take(lock);
    if (!token) return;
    try {
      const value = await compute();
      if (value === undefined) {
        await this.manager.delete(key);
        return;
      }
      await this.manager.set(key, value, policy.ttl + policy.staleWhileRevalidate);
      await this.mark(key, policy, value);
    } finally {
      await this.locks.release(lock, token);
    }
  }
}
