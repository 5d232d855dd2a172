import { createHash } from 'node:crypto';
import { buildCacheControl } from '../http/cache-control.js';
import { defaultKeyBuilder, KEY_SEPARATOR } from '../http/cache-key.js';
import { type HttpRequestLike, headerValue } from '../http/request.js';
import { type CacheOptions, type CacheTag } from './cache.options.js';
import { type ResolvedCacheXOptions } from './cache-module.options.js';

/** Everything the interceptor needs to know about one `@Cache()` route, resolved once. */
export interface RoutePolicy {
  /** Freshness in seconds. */
  ttl: number;
  staleWhileRevalidate: number;
  staleIfError: number;
  /** The `Cache-Control` value sent. */
  cacheControl: string;
  noStore: boolean;
  noCache: boolean;
  public: boolean;
  private: boolean;
  coalesce: boolean;
  statuses: readonly number[];
  /** Request header names (lower case) the entry varies on. */
  vary: string[];
  tags: CacheTag[];
  key: (req: HttpRequestLike) => string;
}

/** Resolves a route's options against the module's, filling every default. */
export function resolveRoutePolicy(
  route: CacheOptions,
  module: ResolvedCacheXOptions,
): RoutePolicy {
  const stores = !route.noStore && !route.noCache;
  const ttl = route.ttl ?? (stores ? module.defaultTtl : undefined);
  return {
    ttl: ttl ?? 0,
    staleWhileRevalidate: route.staleWhileRevalidate ?? 0,
    staleIfError: route.staleIfError ?? 0,
    cacheControl: buildCacheControl({ ...route, maxAge: ttl }),
    noStore: route.noStore ?? false,
    noCache: route.noCache ?? false,
    public: route.public ?? false,
    private: route.private ?? false,
    coalesce: route.coalesce ?? true,
    statuses: route.statuses ?? module.statuses,
    vary: (route.vary ?? []).map((name) => name.toLowerCase()),
    tags: route.tags ?? [],
    key: route.key ?? module.keyBuilder ?? defaultKeyBuilder,
  };
}

/**
 * The key an entry is stored under: the logical key, then the values of the
 * headers it varies on, then (private routes) a digest of the credential, so
 * one user's entry can never be found with another's request.
 */
export function storageKey(
  logicalKey: string,
  req: HttpRequestLike,
  vary: readonly string[],
  credential?: string,
): string {
  let key = logicalKey;
  if (vary.length > 0) {
    const values = vary.map(
      (name) => `${name}=${encodeURIComponent(headerValue(req, name) ?? '')}`,
    );
    key += `${KEY_SEPARATOR}vary:${values.join('&')}`;
  }
  if (credential !== undefined) {
    key += `${KEY_SEPARATOR}user:${createHash('sha256').update(credential).digest('base64url')}`;
  }
  return key;
}

/** Resolves a route's tags for one response. */
export function resolveTags(
  tags: readonly CacheTag[],
  req: HttpRequestLike,
  body: unknown,
): string[] {
  const resolved = new Set<string>();
  for (const tag of tags) {
    const value = typeof tag === 'function' ? tag(req, body) : tag;
    for (const name of Array.isArray(value) ? value : [value]) {
      if (typeof name === 'string' && name.length > 0) resolved.add(name);
    }
  }
  return [...resolved];
}
