import { Reflector } from '@nestjs/core';
import { CacheXConfigError } from '../common/errors.js';
import { validateNameList } from './cache.options.js';

/**
 * Names computed when an evicting method succeeds, from its arguments and its
 * result (the resolved value). On a route handler `args` is `[req]`, the
 * request; on a provider method, the method's own arguments.
 */
export type EvictNames<A extends unknown[] = unknown[], R = unknown> = (
  args: A,
  result: R,
) => string | string[];

/** What an eviction names: a list of strings and functions, or one function giving them all. */
export type EvictList<A extends unknown[] = unknown[], R = unknown> =
  Array<string | EvictNames<A, R>> | EvictNames<A, R>;

/**
 * Options of `@CacheEvict()`: what to remove once the method succeeds.
 * Type parameters are the method's arguments and result, inferred from
 * annotated functions (`([id]: [string]) => …`).
 *
 * @example
 * @CacheEvict({ paths: ['/products', '/products/:id'], tags: ['products'] })
 */
export interface CacheEvictOptions<A extends unknown[] = unknown[], R = unknown> {
  /**
   * Paths whose response entries go, for every method, host and query
   * (`CacheBackend.clearPath`). A string may be a template such as
   * `/products/:id`, filled from the route's params (on a route handler
   * only); functions give paths as they are.
   */
  paths?: EvictList<A, R>;
  /** Tags whose response entries and `@Cacheable` values go (`invalidateTags`). */
  tags?: EvictList<A, R>;
  /** `CacheManager` keys removed (such as a `@Cacheable` key). */
  keys?: EvictList<A, R>;
  /**
   * Mark stale instead of removing: responses and `@Cacheable` values with a
   * `staleWhileRevalidate` window are served once more while one refresh
   * runs; values without one are removed.
   */
  soft?: boolean;
}

/** The metadata `@CacheEvict()` leaves on a method; read with `Reflector`. */
export const CacheEvictMetadata = Reflector.createDecorator<CacheEvictOptions>();

const KNOWN = new Set(['paths', 'tags', 'keys', 'soft']);
const LISTS = ['paths', 'tags', 'keys'] as const;

/**
 * Checks `@CacheEvict()` options when the decorator is applied and throws
 * `CacheXConfigError` naming the method and the mistake.
 */
export function validateCacheEvictOptions(options: CacheEvictOptions, method: string): void {
  const fail = (problem: string): never => {
    throw new CacheXConfigError(`@CacheEvict() on ${method}: ${problem}`);
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) fail(`unknown option \`${name}\``);
  }
  for (const name of LISTS) {
    const list = options[name];
    if (list === undefined || typeof list === 'function') continue;
    if (!Array.isArray(list)) fail(`\`${name}\` must be an array or a function`);
    validateNameList(list as unknown[], name, fail);
  }
  if (typeof options.paths !== 'function') {
    for (const path of options.paths ?? []) {
      if (typeof path === 'string' && !path.startsWith('/')) {
        fail(`\`paths\` are absolute paths, got ${JSON.stringify(path)}`);
      }
    }
  }
  if (options.soft !== undefined && typeof options.soft !== 'boolean') {
    fail('`soft` must be a boolean');
  }
  if (LISTS.every((name) => options[name] === undefined)) {
    fail('name at least one of `paths`, `tags` or `keys`');
  }
}

/** Resolves a list for one call: strings as given, functions called; empty names dropped. */
export function resolveEvictList(
  list: EvictList | undefined,
  args: unknown[],
  result: unknown,
): Array<{ name: string; computed: boolean }> {
  if (list === undefined) return [];
  const items = typeof list === 'function' ? [list] : list;
  const resolved: Array<{ name: string; computed: boolean }> = [];
  for (const item of items) {
    const computed = typeof item === 'function';
    const value = computed ? item(args, result) : item;
    for (const name of Array.isArray(value) ? value : [value]) {
      if (typeof name === 'string' && name.length > 0) resolved.push({ name, computed });
    }
  }
  return resolved;
}
