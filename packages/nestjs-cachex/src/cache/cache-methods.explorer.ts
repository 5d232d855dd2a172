import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { CacheXConfigError } from '../common/errors.js';
import { templateParams } from '../http/path-template.js';
import { CacheEvictMetadata, type CacheEvictOptions } from './cache-evict.options.js';
import { CacheEvictor } from './cache-evictor.service.js';

type Method = (...args: unknown[]) => unknown;

/**
 * Binds `@CacheEvict()` on provider methods when the application starts,
 * the way `@nestjs/event-emitter` binds `@OnEvent()`: each singleton
 * provider's decorated method is replaced, on that instance only, by one
 * that calls it and then evicts. Route handlers are left to
 * `CacheEvictInterceptor`, which knows the HTTP status.
 */
@Injectable()
export class CacheMethodsExplorer implements OnModuleInit {
  private readonly bound = new WeakSet<object>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly evictor: CacheEvictor,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (wrapper.isAlias || typeof instance !== 'object' || instance === null) continue;
      if (this.bound.has(instance)) continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown> | null;
      if (!prototype) continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = prototype[name];
        if (typeof method !== 'function') continue;
        const evict = this.reflector.get(CacheEvictMetadata, method as Method);
        if (!evict) continue;
        const where = `${instance.constructor.name}.${name}()`;
        if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
          throw new CacheXConfigError(
            `@CacheEvict() on ${where}: the provider is request-scoped or transient; put it on a singleton provider`,
          );
        }
        this.bindEvict(instance as Record<string, unknown>, name, method as Method, evict, where);
      }
      this.bound.add(instance);
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
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
