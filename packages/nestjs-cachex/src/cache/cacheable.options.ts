import { Reflector } from '@nestjs/core';
import { CacheXConfigError } from '../common/errors.js';
import { validateNameList } from './cache.options.js';

/** A tag of a `@Cacheable` value, or a function of the arguments and the value giving tags. */
export type CacheableTag<A extends unknown[] = unknown[], R = unknown> =
  string | ((args: A, result: R) => string | string[]);

/**
 * Options of `@Cacheable()`. Seconds are whole numbers. Type parameters are
 * the method's arguments and result, inferred from annotated functions.
 *
 * @example
 * @Cacheable({ key: (id: string) => `product:${id}`, ttl: 300, tags: ['catalog'] })
 */
export interface CacheableOptions<A extends unknown[] = unknown[], R = unknown> {
  /** The `CacheManager` key of a call; default `ClassName.method:` + the JSON of the arguments. */
  key?: (...args: A) => string;
  /** Seconds the value is fresh (≥ 1; default: the module's `defaultTtl`). */
  ttl?: number;
  /** Tags a `@CacheEvict({ tags })` (or `CacheEvictor`) removes the value by. */
  tags?: Array<CacheableTag<A, R>>;
  /** Seconds after `ttl` the value is returned at once while one call refreshes it. */
  staleWhileRevalidate?: number;
}

/** The metadata `@Cacheable()` leaves on a method; read with `Reflector`. */
export const CacheableMetadata = Reflector.createDecorator<CacheableOptions>();

const KNOWN = new Set(['key', 'ttl', 'tags', 'staleWhileRevalidate']);

/**
 * Checks `@Cacheable()` options when the decorator is applied and throws
 * `CacheXConfigError` naming the method and the mistake.
 */
export function validateCacheableOptions(options: CacheableOptions, method: string): void {
  const fail = (problem: string): never => {
    throw new CacheXConfigError(`@Cacheable() on ${method}: ${problem}`);
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) fail(`unknown option \`${name}\``);
  }
  if (options.key !== undefined && typeof options.key !== 'function') {
    fail('`key` must be a function of the arguments');
  }
  const { ttl, staleWhileRevalidate: swr } = options;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1)) {
    fail(`\`ttl\` must be a whole number of seconds ≥ 1, got ${String(ttl)}`);
  }
  if (swr !== undefined && (!Number.isInteger(swr) || swr < 0)) {
    fail(`\`staleWhileRevalidate\` must be a whole number of seconds ≥ 0, got ${String(swr)}`);
  }
  if (options.tags !== undefined) {
    if (!Array.isArray(options.tags)) fail('`tags` must be an array');
    validateNameList(options.tags, 'tags', fail);
  }
}

/** The default key of a call: `ClassName.method:` and the JSON of its arguments. */
export function defaultCacheableKey(owner: string, method: string, args: unknown[]): string {
  return `${owner}.${method}:${JSON.stringify(args)}`;
}
