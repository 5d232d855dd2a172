import {
  type CacheableOptions,
  CacheableMetadata,
  validateCacheableOptions,
} from './cacheable.options.js';

/**
 * Keeps what a provider method resolves to in `CacheManager`, under `key`
 * (default `ClassName.method:` + the JSON of the arguments), for `ttl`
 * seconds: concurrent calls for one key share one call of the method, in
 * the process and across instances sharing the backend, as
 * `CacheManager.getOrSet` does. `undefined` and errors are never kept. The
 * method is bound when the application starts (singleton providers only),
 * and must return a Promise of a JSON-serialisable value. Invalid options
 * throw `CacheXConfigError` here, naming the method.
 *
 * @example
 * @Cacheable({ key: (id: string) => `product:${id}`, ttl: 300, tags: ['catalog'] })
 * async find(id: string): Promise<Product | undefined> { ... }
 */
export function Cacheable<A extends unknown[] = unknown[], R = unknown>(
  options: CacheableOptions<A, R> = {},
) {
  const stored = { ...options } as unknown as CacheableOptions;
  const decorate = CacheableMetadata(stored);
  return <T extends (...args: never[]) => Promise<unknown>>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): void => {
    validateCacheableOptions(stored, `${target.constructor.name}.${String(propertyKey)}()`);
    decorate(target, propertyKey, descriptor);
  };
}
