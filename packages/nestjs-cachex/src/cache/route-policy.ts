import { type CacheEntry } from '../backends/cache-entry.js';
import { buildCacheControl } from '../http/cache-control.js';
import { KEY_SEPARATOR } from '../http/cache-key.js';
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
  /** The `CDN-Cache-Control` value sent (RFC 9213), when the route has `cdn`. */
  cdnCacheControl?: string;
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
  /** Whether `key` is the module's own builder (no route `key`, no module `keyBuilder`). */
  defaultKey: boolean;
}

/**
 * Resolves a route's options against the module's, filling every default;
 * `defaultKey` builds keys for routes without their own `key` or a module
 * `keyBuilder`.
 */
export function resolveRoutePolicy(
  route: CacheOptions,
  module: ResolvedCacheXOptions,
  defaultKey: (req: HttpRequestLike) => string,
): RoutePolicy {
  const stores = !route.noStore && !route.noCache;
  const ttl = route.ttl ?? (stores ? module.defaultTtl : undefined);
  return {
    ttl: ttl ?? 0,
    staleWhileRevalidate: route.staleWhileRevalidate ?? 0,
    staleIfError: route.staleIfError ?? 0,
    cacheControl: buildCacheControl({ ...route, maxAge: ttl }),
    ...(route.cdn && { cdnCacheControl: buildCacheControl(route.cdn) }),
    noStore: route.noStore ?? false,
    noCache: route.noCache ?? false,
    public: route.public ?? false,
    private: route.private ?? false,
    coalesce: route.coalesce ?? true,
    statuses: route.statuses ?? module.statuses,
    vary: (route.vary ?? []).map((name) => name.toLowerCase()),
    tags: route.tags ?? [],
    key: route.key ?? module.keyBuilder ?? defaultKey,
    defaultKey: route.key === undefined && module.keyBuilder === undefined,
  };
}

/**
 * The key an entry is stored under: the logical key, then the values of the
 * request headers it varies on, then (private entries) the identity it
 * belongs to, so one user's entry can never be found with another's request.
 */
export function storageKey(
  logicalKey: string,
  req: HttpRequestLike,
  vary: readonly string[],
  identity?: string,
): string {
  let key = logicalKey;
  if (vary.length > 0) key += `${KEY_SEPARATOR}vary:${varyPart(vary, req)}`;
  if (identity !== undefined) key += `${KEY_SEPARATOR}user:${identity}`;
  return key;
}

/** The values of the request headers `names` (lower case), as one key part. */
function varyPart(names: readonly string[], req: HttpRequestLike): string {
  return names
    .map((name) => `${name}=${encodeURIComponent(headerValue(req, name) ?? '')}`)
    .join('&');
}

/**
 * The request header names (lower case, sorted, no duplicates) a response
 * varies on: its own `Vary` and the route's `vary` option.
 */
export function varyNames(responseVary: string | undefined, route: readonly string[]): string[] {
  const names = new Set(route);
  for (const name of (responseVary ?? '').split(',')) {
    const trimmed = name.trim().toLowerCase();
    if (trimmed !== '') names.add(trimmed);
  }
  return [...names].sort();
}

/**
 * Whether an entry may answer this request (RFC 9111 §4.1): it is a response
 * (not a marker) and the request headers it varies on have the values it
 * was stored for.
 */
export function entryAnswers(entry: CacheEntry, req: HttpRequestLike): boolean {
  if (entry.varyOn !== undefined) return false;
  if (entry.varyValues === undefined) return true;
  for (const name in entry.varyValues) {
    if ((headerValue(req, name) ?? '') !== entry.varyValues[name]) return false;
  }
  return true;
}

/** The values of `names` in the request, as an entry records them. */
export function varyValuesOf(
  names: readonly string[],
  req: HttpRequestLike,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of names) values[name] = headerValue(req, name) ?? '';
  return values;
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
