import { CacheXConfigError } from '../common/errors.js';
import { type HttpRequestLike } from '../http/request.js';

/** A tag, or a function of the request and the handler's result giving tags. */
export type CacheTag = string | ((req: HttpRequestLike, body: unknown) => string | string[]);

/**
 * What the CDN in front is told in `CDN-Cache-Control` (RFC 9213), whatever
 * browsers get in `Cache-Control`. Seconds, whole.
 */
export interface CdnCacheOptions {
  /** Seconds the CDN keeps the response fresh (`max-age`). */
  maxAge: number;
  /** Seconds after `maxAge` the CDN may serve it stale while it revalidates. */
  staleWhileRevalidate?: number;
  /** Seconds after `maxAge` the CDN may serve it stale when the origin fails. */
  staleIfError?: number;
}

/**
 * Options of `@Cache()`. Seconds are whole, non-negative numbers.
 *
 * @example
 * @Cache({ ttl: 60, public: true, staleWhileRevalidate: 30, tags: ['products'] })
 */
export interface CacheOptions {
  /** Freshness in seconds (`max-age`); default: the module's `defaultTtl`. */
  ttl?: number;
  /** Always run the handler; send `no-cache` (a matching `If-None-Match` still gets a 304). */
  noCache?: boolean;
  /** Never read or write the cache; send `no-store`. */
  noStore?: boolean;
  /** Same response for everyone: stored even for requests with credentials. */
  public?: boolean;
  /** Per-user response: stored per credential, never shared; bypassed without one. */
  private?: boolean;
  /** `immutable` (RFC 8246): clients need not revalidate while fresh. */
  immutable?: boolean;
  /** `must-revalidate`: once stale, caches must revalidate it before reuse. */
  mustRevalidate?: boolean;
  /** `proxy-revalidate`: as `mustRevalidate`, for shared caches only. */
  proxyRevalidate?: boolean;
  /** `no-transform`: intermediaries leave the body as it is (this cache does not compress it either). */
  noTransform?: boolean;
  /** Seconds for shared caches (`s-maxage`). */
  sMaxAge?: number;
  /** Seconds after `ttl` during which a stale entry is served while one refresh runs. */
  staleWhileRevalidate?: number;
  /** Seconds after `ttl` during which a stale entry stands in for a failing handler. */
  staleIfError?: number;
  /** Builds this route's logical key instead of the module's `keyBuilder`. */
  key?: (req: HttpRequestLike) => string;
  /** Tags to invalidate the entry by (`CacheBackend.invalidateTags`). */
  tags?: CacheTag[];
  /** Request headers the response depends on: each value gets its own entry; sent as `Vary`. */
  vary?: string[];
  /** Status codes stored for this route (default: the module's `statuses`). */
  statuses?: number[];
  /** Concurrent misses for one key run the handler once (default `true`). */
  coalesce?: boolean;
  /**
   * Also send `CDN-Cache-Control` (RFC 9213) with these lifetimes, for the
   * CDN in front only; browsers still follow `Cache-Control`.
   */
  cdn?: CdnCacheOptions;
  /** Store this route in the backend of that name (`CacheXModule.forRoot({ caches })`). */
  cache?: string;
}

const SECONDS = ['ttl', 'sMaxAge', 'staleWhileRevalidate', 'staleIfError'] as const;
const FLAGS = [
  'noCache',
  'noStore',
  'public',
  'private',
  'immutable',
  'mustRevalidate',
  'proxyRevalidate',
  'noTransform',
  'coalesce',
] as const;
const KNOWN = new Set<string>([
  ...SECONDS,
  ...FLAGS,
  'key',
  'tags',
  'vary',
  'statuses',
  'cdn',
  'cache',
]);
const CDN_SECONDS = ['maxAge', 'staleWhileRevalidate', 'staleIfError'] as const;

/**
 * Checks `@Cache()` options when the decorator is applied and throws
 * `CacheXConfigError` naming the route and the conflict.
 */
export function validateCacheOptions(options: CacheOptions, route: string): void {
  const fail = (problem: string): never => {
    throw new CacheXConfigError(`@Cache() on ${route}: ${problem}`);
  };
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) fail(`unknown option \`${name}\``);
  }
  for (const name of SECONDS) {
    const value = options[name];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      fail(`\`${name}\` must be a whole number of seconds ≥ 0, got ${String(value)}`);
    }
  }
  for (const name of FLAGS) {
    const value = options[name];
    if (value !== undefined && typeof value !== 'boolean') fail(`\`${name}\` must be a boolean`);
  }
  if (options.public && options.private) fail('`public` and `private` exclude each other');
  if (options.noStore) {
    for (const name of [
      'ttl',
      'sMaxAge',
      'staleWhileRevalidate',
      'staleIfError',
      'immutable',
    ] as const) {
      if (options[name] !== undefined)
        fail(`\`noStore\` forbids storing, so \`${name}\` has no meaning`);
    }
  }
  if (options.key !== undefined && typeof options.key !== 'function') {
    fail('`key` must be a function of the request');
  }
  if (options.tags !== undefined) {
    if (!Array.isArray(options.tags)) fail('`tags` must be an array');
    validateNameList(options.tags!, 'tags', fail);
  }
  if (options.vary !== undefined) {
    if (!Array.isArray(options.vary)) fail('`vary` must be an array of header names');
    for (const name of options.vary!) {
      if (typeof name !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
        fail(`\`vary\` holds header names, got ${JSON.stringify(name)}`);
      }
      if (name === '*') fail('`vary: ["*"]` would never be stored: use `noStore`');
    }
  }
  if (options.statuses !== undefined) validateStatuses(options.statuses, `@Cache() on ${route}`);
  if (options.cdn !== undefined) validateCdn(options, fail);
  if (options.cache !== undefined && (typeof options.cache !== 'string' || options.cache === '')) {
    fail('`cache` must be the name of a cache given to `CacheXModule.forRoot({ caches })`');
  }
}

/** `cdn` holds whole seconds, `maxAge` among them, and is meant for responses a CDN may keep. */
function validateCdn(options: CacheOptions, fail: (problem: string) => never): void {
  const cdn = options.cdn as unknown;
  if (typeof cdn !== 'object' || cdn === null) fail('`cdn` must be `{ maxAge, ... }`');
  for (const name of Object.keys(cdn as object)) {
    if (!(CDN_SECONDS as readonly string[]).includes(name)) fail(`unknown option \`cdn.${name}\``);
  }
  for (const name of CDN_SECONDS) {
    const value = (cdn as Record<string, unknown>)[name];
    if (value === undefined && name !== 'maxAge') continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      fail(`\`cdn.${name}\` must be a whole number of seconds ≥ 0, got ${String(value)}`);
    }
  }
  if (options.private) fail('`cdn` tells a shared cache to keep the response: not with `private`');
  if (options.noStore) fail('`cdn` tells a CDN to store the response: not with `noStore`');
}

/**
 * Checks that the list option `name` holds non-empty strings or functions
 * (names, and functions giving them); `fail` names the option's owner.
 */
export function validateNameList(
  list: readonly unknown[],
  name: string,
  fail: (problem: string) => never,
): void {
  for (const item of list) {
    if (!(typeof item === 'function' || (typeof item === 'string' && item.length > 0))) {
      fail(`\`${name}\` holds non-empty strings or functions`);
    }
  }
}

/** Checks a list of storable status codes; `where` names the option's owner. */
export function validateStatuses(statuses: unknown, where: string): void {
  if (
    !Array.isArray(statuses) ||
    statuses.some((code) => !Number.isInteger(code) || code < 200 || code > 599)
  ) {
    throw new CacheXConfigError(`${where}: \`statuses\` must be status codes from 200 to 599`);
  }
}
