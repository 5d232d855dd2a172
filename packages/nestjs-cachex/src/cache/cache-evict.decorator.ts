import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { CacheEvictInterceptor } from './cache-evict.interceptor.js';
import {
  type CacheEvictOptions,
  CacheEvictMetadata,
  validateCacheEvictOptions,
} from './cache-evict.options.js';

/**
 * Evicts cache entries after the method succeeds — a route handler answering
 * 2xx, or a provider method resolving: the response entries of `paths` and
 * `tags`, the `@Cacheable` values of `tags`, and the `CacheManager` `keys`
 * (with `soft`, marked stale instead). Nothing is evicted when it throws.
 * Evictions go through the backend, so every instance sharing it sees them;
 * a backend failure is logged, never thrown. Provider methods are bound when
 * the application starts (singleton providers only); a synchronous method's
 * evictions start when it returns.
 *
 * @example
 * @CacheEvict({ paths: ['/products', '/products/:id'], tags: ['products'] })
 * @Put('products/:id')
 * update(@Param('id') id: string, @Body() dto: ProductDto) { ... }
 *
 * @CacheEvict({ keys: ([id]: [string]) => [`product:${id}`] })
 * async rename(id: string, name: string) { ... } // in any provider
 */
export function CacheEvict<A extends unknown[] = unknown[], R = unknown>(
  options: CacheEvictOptions<A, R>,
): MethodDecorator {
  const stored = { ...options } as unknown as CacheEvictOptions;
  const decorate = applyDecorators(
    CacheEvictMetadata(stored),
    UseInterceptors(CacheEvictInterceptor),
  );
  return (target, propertyKey, descriptor) => {
    validateCacheEvictOptions(stored, `${target.constructor.name}.${String(propertyKey)}()`);
    decorate(target, propertyKey, descriptor);
  };
}
