import { type CacheBackend } from '../backends/cache-backend.js';
import { CacheXConfigError } from '../common/errors.js';
import { type HttpRequestLike } from '../http/request.js';
import { validateStatuses } from './cache.options.js';

/**
 * Options of `CacheXModule.forRoot()`. Seconds and milliseconds are named.
 *
 * @example
 * CacheXModule.forRoot({ backend: new RedisBackend({ host: 'redis' }), defaultTtl: 30 })
 */
export interface CacheXModuleOptions {
  /** Where entries live (default `new MemoryBackend()`). Closed on shutdown. */
  backend?: CacheBackend;
  /** Register `CacheInterceptor` globally (default `true`); else opt in with `@UseInterceptors`. */
  interceptor?: boolean;
  /** Builds every route's logical key instead of `defaultKeyBuilder` (no prefix). */
  keyBuilder?: (req: HttpRequestLike) => string;
  /** Seconds of freshness for `@Cache()` without a ttl (default 60). */
  defaultTtl?: number;
  /** Status codes stored (default `[200]`); a route's `statuses` overrides it. */
  statuses?: number[];
  /** Bound on every backend call made while answering a request, in ms (default 1000). */
  backendTimeoutMs?: number;
  /** Send a `Surrogate-Key` header listing the entry's tags (default `false`). */
  surrogateKeys?: boolean;
  /** A successful POST/PUT/PATCH/DELETE removes the GET/HEAD entries of its path (default `false`). */
  invalidateOnWrite?: boolean;
  /** Seconds a key whose response was not storable skips coalescing (default 10). */
  hitForMissTtl?: number;
  /**
   * Answer fresh hits of guard-free routes before Nest's router (default
   * `true`; Express only). Every middleware still runs; a route with a guard
   * or another interceptor, and a request with a credential, always go
   * through Nest's pipeline. Turn it off when something must see every
   * request inside Nest (an interceptor added after start-up, say).
   */
  earlyHits?: boolean;
  /** How long a coalesced request waits for another's result before running the handler itself, in ms (default 5000). */
  coalesceTimeoutMs?: number;
}

/** Module options with every default filled in. */
export type ResolvedCacheXOptions = Required<Omit<CacheXModuleOptions, 'backend' | 'keyBuilder'>> &
  Pick<CacheXModuleOptions, 'keyBuilder'>;

/** Fills in defaults and checks the module options, naming the option at fault. */
export function resolveModuleOptions(options: CacheXModuleOptions): ResolvedCacheXOptions {
  const resolved: ResolvedCacheXOptions = {
    interceptor: options.interceptor ?? true,
    keyBuilder: options.keyBuilder,
    defaultTtl: options.defaultTtl ?? 60,
    statuses: options.statuses ?? [200],
    backendTimeoutMs: options.backendTimeoutMs ?? 1000,
    surrogateKeys: options.surrogateKeys ?? false,
    invalidateOnWrite: options.invalidateOnWrite ?? false,
    hitForMissTtl: options.hitForMissTtl ?? 10,
    coalesceTimeoutMs: options.coalesceTimeoutMs ?? 5000,
    earlyHits: options.earlyHits ?? true,
  };
  const whole = (name: keyof ResolvedCacheXOptions, min: number): void => {
    const value = resolved[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new CacheXConfigError(
        `CacheXModule: \`${name}\` must be a whole number ≥ ${min}, got ${String(value)}`,
      );
    }
  };
  whole('defaultTtl', 0);
  whole('backendTimeoutMs', 1);
  whole('hitForMissTtl', 0);
  whole('coalesceTimeoutMs', 1);
  validateStatuses(resolved.statuses, 'CacheXModule');
  if (resolved.keyBuilder !== undefined && typeof resolved.keyBuilder !== 'function') {
    throw new CacheXConfigError('CacheXModule: `keyBuilder` must be a function of the request');
  }
  return resolved;
}
