import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { CacheXConfigError } from '../common/errors.js';
import { templateParams } from '../http/path-template.js';
import {
  CacheEvictMetadata,
  type CacheEvictOptions,
  resolveEvictList,
} from './cache-evict.options.js';
import { CacheEvictor } from './cache-evictor.service.js';
import {
  CacheableMetadata,
  type CacheableOptions,
  defaultCacheableKey,
} from './cacheable.options.js';
import { CachedValues } from './cached-values.js';
import { CacheMetadata } from './cache.decorator.js';
import { NamedCaches } from './named-caches.js';
import { RESOLVED_CACHEX_OPTIONS } from './cache.constants.js';
import { type ResolvedCacheXOptions } from './cache-module.options.js';
import { RateLimitedLogger } from '../common/rate-limited-logger.js';

type Method = (...args: unknown[]) => unknown;
/** Nest's wrapper of a provider, as `DiscoveryService` gives it (no deep import). */
type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/**
 * When the application starts, checks the `@Cache()` routes' cache names and
 * binds `@CacheEvict()` and `@Cacheable()` on provider methods, the way
 * `@nestjs/event-emitter` binds `@OnEvent()`: each singleton provider's
 * decorated method is replaced, on that instance only, by one that calls it
 * and then evicts, or that answers from `CachedValues`. `@CacheEvict()` route
 * handlers are left to `CacheEvictInterceptor`, which knows the HTTP status.
 */
@Injectable()
export class CacheMethodsExplorer implements OnModuleInit {
  private readonly log = new RateLimitedLogger(CacheMethodsExplorer.name);
  private readonly bound = new WeakSet<object>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly evictor: CacheEvictor,
    private readonly values: CachedValues,
    @Inject(RESOLVED_CACHEX_OPTIONS) private readonly options: ResolvedCacheXOptions,
    private readonly caches: NamedCaches,
  ) {}

  onModuleInit(): void {
    this.checkControllers();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (wrapper.isAlias || typeof instance !== 'object' || instance === null) continue;
      // One object may be provided by several modules (`useValue`): bound once.
      if (this.bound.has(instance)) continue;
      this.bindProvider(wrapper, instance);
      this.bound.add(instance);
    }
  }

  private bindProvider(wrapper: InstanceWrapper, instance: object): void {
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown> | null;
    if (!prototype) return;
    const target = instance as Record<string, unknown>;
    for (const name of this.scanner.getAllMethodNames(prototype)) {
      const method = prototype[name];
      if (typeof method !== 'function') continue;
      const evict = this.reflector.get(CacheEvictMetadata, method as Method);
      const cacheable = this.reflector.get(CacheableMetadata, method as Method);
      if (!evict && !cacheable) continue;
      const where = `${instance.constructor.name}.${name}()`;
      if (evict && cacheable) {
        throw new CacheXConfigError(
          `${where} has both @Cacheable() and @CacheEvict(): a method either reads or writes`,
        );
      }
      if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
        throw new CacheXConfigError(
          `${cacheable ? '@Cacheable()' : '@CacheEvict()'} on ${where}: the provider is request-scoped or transient; put it on a singleton provider`,
        );
      }
      if (evict) this.bindEvict(target, name, method as Method, evict, where);
      else this.bindCacheable(target, name, method as Method, cacheable!, where);
    }
  }

  /**
   * Every `@Cache({ cache })` route names a cache the module has, and no
   * route handler has `@Cacheable()` (whose value would bypass the HTTP
   * rules), or start-up fails.
   */
  private checkControllers(): void {
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new () => unknown) | null;
      if (typeof controller !== 'function') continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = prototype[name];
        if (typeof method !== 'function') continue;
        if (this.reflector.get(CacheableMetadata, method as Method)) {
          throw new CacheXConfigError(
            `@Cacheable() on ${controller.name}.${name}(): a route handler's response is cached with @Cache()`,
          );
        }
        const route = this.reflector.getAllAndOverride(CacheMetadata, [
          method as Method,
          controller,
        ]);
        if (route?.cache !== undefined) this.caches.backend(route.cache);
      }
    }
  }

  private bindEvict(
    instance: Record<string, unknown>,
    name: string,
    method: Method,
    options: CacheEvictOptions,
    where: string,
  ): void {
    if (typeof options.paths !== 'function') {
      for (const path of options.paths ?? []) {
        if (typeof path === 'string' && templateParams(path).length > 0) {
          throw new CacheXConfigError(
            `@CacheEvict() on ${where}: ${path} is a template, filled only on route handlers; give a function of the arguments instead`,
          );
        }
      }
    }
    const evictor = this.evictor;
    instance[name] = function (this: unknown, ...args: unknown[]): unknown {
      const result = method.apply(this, args);
      if (isThenable(result)) {
        return Promise.resolve(result).then(async (value) => {
          await evictor.afterMethod(options, args, value);
          return value;
        });
      }
      void evictor.afterMethod(options, args, result);
      return result;
    };
  }

  private bindCacheable(
    instance: Record<string, unknown>,
    name: string,
    method: Method,
    options: CacheableOptions,
    where: string,
  ): void {
    this.values.requireNamespace(`@Cacheable() on ${where}`);
    const ttl = options.ttl ?? this.options.defaultTtl;
    if (ttl < 1) {
      throw new CacheXConfigError(
        `@Cacheable() on ${where}: give it a \`ttl\` ≥ 1 (the module's \`defaultTtl\` is 0)`,
      );
    }
    const owner = (instance.constructor as { name: string }).name;
    const { values, log } = this;
    const staleWhileRevalidate = options.staleWhileRevalidate ?? 0;
    instance[name] = function (this: unknown, ...args: unknown[]): Promise<unknown> {
      const call = () => Promise.resolve(method.apply(this, args));
      let key: string;
      try {
        key = options.key ? options.key(...args) : defaultCacheableKey(owner, name, args);
      } catch (error) {
        log.error('key', `@Cacheable() on ${where}: no key for these arguments; not cached`, error);
        return call();
      }
      const tagsOf = (value: unknown): string[] =>
        resolveEvictList(options.tags, args, value).map((tag) => tag.name);
      return values.get(key, call, { ttl, staleWhileRevalidate, tagsOf });
    };
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
