import { Inject } from '@nestjs/common';
import { getCacheToken } from './named-caches.js';

/**
 * Injects the `CacheBackend` named `name` in `CacheXModule.forRoot({ caches })`
 * (without a name: the module's `backend`), to invalidate or read what the
 * routes of `@Cache({ cache: name })` store there. Names given in
 * `forRootAsync` are listed in its `cacheNames`.
 *
 * @example
 * constructor(@InjectCache('hot') private readonly hot: CacheBackend) {}
 * await this.hot.clearPath('/leaderboard');
 */
export function InjectCache(name?: string): PropertyDecorator & ParameterDecorator {
  return Inject(getCacheToken(name));
}
