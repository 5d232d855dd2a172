import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RateLimitedLogger } from '../common/rate-limited-logger.js';
import { routePath } from '../http/cache-key.js';
import { fillPathTemplate } from '../http/path-template.js';
import { type HttpRequestLike } from '../http/request.js';
import { BackendCalls } from './backend-call.js';
import { type CacheEvictOptions, type EvictList, resolveEvictList } from './cache-evict.options.js';
import { CachedValues } from './cached-values.js';
import { NamedCaches } from './named-caches.js';

/**
 * Carries out `@CacheEvict()` once a method succeeded: paths and tags in the
 * response cache (the module's backend and every named cache), tags and keys
 * among `@Cacheable` values. Every call is
 * bounded like the interceptor's; a failure is logged (rate-limited), never
 * thrown, so a write that succeeded is never reported as failed.
 */
@Injectable()
export class CacheEvictor {
  private readonly log = new RateLimitedLogger(CacheEvictor.name);

  constructor(
    private readonly calls: BackendCalls,
    private readonly values: CachedValues,
    private readonly adapterHost: HttpAdapterHost,
    private readonly caches: NamedCaches,
  ) {}

  /**
   * After a route handler answered 2xx: templates filled from the route's
   * params, every path spelled as the router matches it (as keys spell it).
   */
  afterRoute(options: CacheEvictOptions, req: HttpRequestLike, result: unknown): Promise<void> {
    return this.evict(options, [req], result, (name, computed) => {
      const params = (req as { params?: Record<string, unknown> }).params ?? {};
      const path = computed ? name : fillPathTemplate(name, params);
      if (path === undefined) throw new Error(`${name} names a param the route does not have`);
      return routePath(req, path);
    });
  }

  /** After a provider method resolved: paths spelled as the app's router matches them. */
  afterMethod(options: CacheEvictOptions, args: unknown[], result: unknown): Promise<void> {
    const app = this.appRequest();
    return this.evict(options, args, result, (name) => routePath(app, name));
  }

  /**
   * Resolves the names and evicts them all at once. The method succeeded:
   * a failure here (a backend's, or a function's of the options) is logged,
   * never reported as its failure.
   */
  private async evict(
    options: CacheEvictOptions,
    args: unknown[],
    result: unknown,
    pathOf: (name: string, computed: boolean) => string,
  ): Promise<void> {
    const soft = options.soft ?? false;
    let paths: Set<string>, tags: string[], keys: Set<string>;
    try {
      const names = (list: EvictList | undefined) => resolveEvictList(list, args, result);
      paths = new Set(names(options.paths).map(({ name, computed }) => pathOf(name, computed)));
      tags = names(options.tags).map(({ name }) => name);
      keys = new Set(names(options.keys).map(({ name }) => name));
    } catch (error) {
      this.log.error('names', '@CacheEvict: could not name what to evict; nothing evicted', error);
      return;
    }
    const calls: Array<Promise<unknown>> = [];
    // A path or tag may be cached by any route, so in any named cache too.
    for (const backend of this.caches.everyBackend()) {
      for (const path of paths) {
        calls.push(this.call('clearPath', () => backend.clearPath(path, { soft })));
      }
      if (tags.length > 0) {
        calls.push(this.call('invalidateTags', () => backend.invalidateTags(tags, { soft })));
      }
    }
    if (tags.length > 0) {
      calls.push(this.call('invalidateTags', () => this.values.invalidateTags(tags, soft)));
    }
    for (const key of keys) calls.push(this.call('delete', () => this.values.evict(key, soft)));
    await Promise.all(calls);
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<unknown> {
    return this.calls.run(this.log, operation, run);
  }

  /**
   * A request-like of the app, with no URL: what `routePath` needs to spell
   * a path as this app's router matches it. Outside an HTTP app, paths are
   * taken as they are.
   */
  private appRequest(): HttpRequestLike {
    const adapter = this.adapterHost.httpAdapter as
      { getType(): string; getInstance(): unknown } | undefined;
    if (!adapter) return { headers: {} };
    const instance = adapter.getInstance() as HttpRequestLike['app'] & HttpRequestLike['server'];
    return adapter.getType() === 'fastify'
      ? { headers: {}, server: instance }
      : { headers: {}, app: instance };
  }
}
