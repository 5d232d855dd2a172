import { randomBytes } from 'node:crypto';
import { type CacheBackend } from '../backends/cache-backend.js';
import { CacheXConfigError } from '../common/errors.js';
import { DEFAULT_IGNORED_QUERY_PARAMS } from '../http/cache-key.js';
import { CONTENT_CODINGS, type ContentCoding } from '../http/content-coding.js';
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
  /**
   * More backends, by name: `@Cache({ cache: name })` stores a route there,
   * `@InjectCache(name)` injects it. Each is closed on shutdown.
   */
  caches?: Record<string, CacheBackend>;
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
  /**
   * Failures (errors or timeouts) in a row after which backend calls are
   * skipped for `backendBreakerMs` (default 5): during an outage requests
   * then cost no timeout, and the handler answers at once.
   */
  backendBreakerFailures?: number;
  /** How long the backend is skipped once the breaker opens, in ms, before one call probes it (default 5000). */
  backendBreakerMs?: number;
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
  /**
   * Cookie names that do not make a request private (a string may end in
   * `*`). Default: the analytics cookies in `DEFAULT_IGNORED_COOKIES`; `[]`
   * makes every cookie a credential.
   */
  ignoreCookies?: Array<string | RegExp>;
  /**
   * Query parameters left out of the key (a string may end in `*`); the
   * handler still sees the whole query. Default: `DEFAULT_IGNORED_QUERY_PARAMS`.
   */
  ignoreQueryParams?: Array<string | RegExp>;
  /** Sort the query's parameters in the key, so `?a=1&b=2` and `?b=2&a=1` share an entry (default `false`). */
  sortQuery?: boolean;
  /**
   * At most this many stored entries per method, origin and path (query
   * strings and Vary variants) in this process (default 1000); beyond it the
   * handler answers and nothing is stored (`Cache-Status: …; detail=variants`).
   */
  maxVariantsPerPath?: number;
  /**
   * The HMAC key that turns credentials into the identity part of private
   * keys (a verified session uses its id instead). Default: a random key per
   * process, so such entries are not shared between instances; give every
   * instance the same secret to share them.
   */
  identitySecret?: string | Buffer;
  /**
   * Compressed variants: a stored body of a compressible type (`text/*`,
   * JSON, JavaScript, XML, SVG) of at least `minBytes` is compressed once
   * per coding when it is stored, and each hit gets the best coding its
   * `Accept-Encoding` allows, with `Content-Encoding`, `Vary:
   * Accept-Encoding` and an `ETag` of its own. Default `{ encodings: ['br',
   * 'gzip'], minBytes: 1024 }`; `false` turns it off. Never for `noTransform`
   * routes, private entries, or bodies the handler encoded itself. The
   * variants' bytes count against the backend's bounds.
   */
  compression?: CompressionOptions | false;
}

/** The module's `compression` option. */
export interface CompressionOptions {
  /**
   * The codings a body is stored in, best first (default `['br', 'gzip']`):
   * when the client's q-values tie, the first wins.
   */
  encodings?: ContentCoding[];
  /** The smallest body compressed, in bytes (default 1024): below it a coding saves less than it costs. */
  minBytes?: number;
}

/** The `compression` option with its defaults filled in. */
export type ResolvedCompression = Required<CompressionOptions>;

/** Analytics cookies that say nothing about who is asking: they never make a request private. */
export const DEFAULT_IGNORED_COOKIES: ReadonlyArray<string> = [
  '_ga',
  '_ga_*',
  '_gid',
  '_gcl_*',
  '_fbp',
  '_fbc',
  '__utm*',
  '_hj*',
];

/** Module options with every default filled in. */
export type ResolvedCacheXOptions = Required<
  Omit<CacheXModuleOptions, 'backend' | 'caches' | 'keyBuilder' | 'identitySecret' | 'compression'>
> &
  Pick<CacheXModuleOptions, 'keyBuilder'> & {
    /** The HMAC key of private identities: the option's, or random for this process. */
    identitySecret: Buffer;
    compression: ResolvedCompression | false;
  };

/** Fills in defaults and checks the module options, naming the option at fault. */
export function resolveModuleOptions(options: CacheXModuleOptions): ResolvedCacheXOptions {
  const resolved: ResolvedCacheXOptions = {
    interceptor: options.interceptor ?? true,
    keyBuilder: options.keyBuilder,
    defaultTtl: options.defaultTtl ?? 60,
    statuses: options.statuses ?? [200],
    backendTimeoutMs: options.backendTimeoutMs ?? 1000,
    backendBreakerFailures: options.backendBreakerFailures ?? 5,
    backendBreakerMs: options.backendBreakerMs ?? 5000,
    surrogateKeys: options.surrogateKeys ?? false,
    invalidateOnWrite: options.invalidateOnWrite ?? false,
    hitForMissTtl: options.hitForMissTtl ?? 10,
    coalesceTimeoutMs: options.coalesceTimeoutMs ?? 5000,
    earlyHits: options.earlyHits ?? true,
    ignoreCookies: options.ignoreCookies ?? [...DEFAULT_IGNORED_COOKIES],
    ignoreQueryParams: options.ignoreQueryParams ?? [...DEFAULT_IGNORED_QUERY_PARAMS],
    sortQuery: options.sortQuery ?? false,
    maxVariantsPerPath: options.maxVariantsPerPath ?? 1000,
    identitySecret: identitySecret(options.identitySecret),
    compression: compression(options.compression),
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
  whole('backendBreakerFailures', 1);
  whole('backendBreakerMs', 1);
  whole('hitForMissTtl', 0);
  whole('coalesceTimeoutMs', 1);
  whole('maxVariantsPerPath', 1);
  namePatterns(resolved.ignoreCookies, 'ignoreCookies');
  namePatterns(resolved.ignoreQueryParams, 'ignoreQueryParams');
  validateStatuses(resolved.statuses, 'CacheXModule');
  if (resolved.keyBuilder !== undefined && typeof resolved.keyBuilder !== 'function') {
    throw new CacheXConfigError('CacheXModule: `keyBuilder` must be a function of the request');
  }
  return resolved;
}

function identitySecret(secret: string | Buffer | undefined): Buffer {
  if (secret === undefined) return randomBytes(32);
  const key = typeof secret === 'string' ? Buffer.from(secret) : secret;
  if (!Buffer.isBuffer(key) || key.length < 32) {
    throw new CacheXConfigError(
      'CacheXModule: `identitySecret` must be a string or Buffer of at least 32 bytes',
    );
  }
  return key;
}

function compression(option: CompressionOptions | false | undefined): ResolvedCompression | false {
  if (option === false) return false;
  if (option !== undefined && (typeof option !== 'object' || option === null)) {
    throw new CacheXConfigError(
      'CacheXModule: `compression` must be false or { encodings, minBytes }',
    );
  }
  const encodings = option?.encodings ?? ['br', 'gzip'];
  const minBytes = option?.minBytes ?? 1024;
  if (
    !Array.isArray(encodings) ||
    encodings.length === 0 ||
    !encodings.every((coding) => CONTENT_CODINGS.includes(coding)) ||
    new Set(encodings).size !== encodings.length
  ) {
    throw new CacheXConfigError(
      `CacheXModule: \`compression.encodings\` must list some of ${CONTENT_CODINGS.join(', ')}, each once (or set \`compression: false\`)`,
    );
  }
  if (!Number.isInteger(minBytes) || minBytes < 0) {
    throw new CacheXConfigError(
      `CacheXModule: \`compression.minBytes\` must be a whole number of bytes ≥ 0, got ${String(minBytes)}`,
    );
  }
  return { encodings: [...encodings], minBytes };
}

function namePatterns(patterns: unknown, option: string): void {
  if (
    !Array.isArray(patterns) ||
    !patterns.every((p) => (typeof p === 'string' && p !== '') || p instanceof RegExp)
  ) {
    throw new CacheXConfigError(
      `CacheXModule: \`${option}\` must be an array of names (a string may end in *) or RegExps`,
    );
  }
}
