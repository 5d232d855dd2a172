import {
  type DynamicModule,
  type CallHandler,
  type ExecutionContext,
  Module,
  type NestInterceptor,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { CacheBackend } from '../backends/cache-backend.js';
import { MemoryBackend } from '../backends/memory.backend.js';
import { Clock, systemClock } from '../common/clock.js';
import { BackendCalls } from './backend-call.js';
import { CacheCredentials } from './cache-credentials.js';
import { CacheManager } from './cache-manager.service.js';
import { CacheEvictor } from './cache-evictor.service.js';
import { CacheMethodsExplorer } from './cache-methods.explorer.js';
import { CachedValues } from './cached-values.js';
import { NamedCaches } from './named-caches.js';
import { CacheInterceptor } from './cache.interceptor.js';
import { EarlyHits } from './early-hits.js';
import {
  CACHEX_MODULE_OPTIONS,
  ConfigurableModuleClass,
  type OPTIONS_TYPE,
} from './cache.module-definition.js';
import {
  type CacheXModuleOptions,
  type ResolvedCacheXOptions,
  resolveModuleOptions,
} from './cache-module.options.js';
import { RESOLVED_CACHEX_OPTIONS } from './cache.constants.js';
import { markTransparentOnHit } from './transparent-interceptors.js';
import { CacheXMetrics } from '../metrics/cachex-metrics.service.js';

/** Stands in for the global interceptor when `interceptor: false`. */
const passThrough: NestInterceptor = {
  intercept: (_context: ExecutionContext, next: CallHandler) => next.handle(),
};
markTransparentOnHit(passThrough);

/**
 * HTTP response caching for Nest. Global by default: `CacheBackend` and
 * `CacheManager` inject anywhere, and `CacheInterceptor` serves every
 * `@Cache()` route unless `interceptor: false`. The backend is closed on
 * application shutdown. Entry times come from the `Clock` it provides
 * (the system clock; `overrideProvider(Clock)` in tests).
 *
 * @example
 * @Module({ imports: [CacheXModule.forRoot({ defaultTtl: 30 })] })
 * export class AppModule {}
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: RESOLVED_CACHEX_OPTIONS,
      useFactory: (options: CacheXModuleOptions) => resolveModuleOptions(options),
      inject: [CACHEX_MODULE_OPTIONS],
    },
    {
      provide: CacheBackend,
      useFactory: (options: CacheXModuleOptions) => options.backend ?? new MemoryBackend(),
      inject: [CACHEX_MODULE_OPTIONS],
    },
    { provide: Clock, useValue: systemClock },
    CacheManager,
    CachedValues,
    CacheEvictor,
    CacheMethodsExplorer,
    {
      provide: NamedCaches,
      useFactory: (options: CacheXModuleOptions, backend: CacheBackend) =>
        new NamedCaches(backend, options.caches),
      inject: [CACHEX_MODULE_OPTIONS, CacheBackend],
    },
    CacheXMetrics,
    BackendCalls,
    CacheCredentials,
    CacheInterceptor,
    EarlyHits,
    {
      provide: APP_INTERCEPTOR,
      useFactory: (options: ResolvedCacheXOptions, interceptor: CacheInterceptor) =>
        options.interceptor ? interceptor : passThrough,
      inject: [RESOLVED_CACHEX_OPTIONS, CacheInterceptor],
    },
  ],
  exports: [
    CacheBackend,
    Clock,
    CacheManager,
    CacheEvictor,
    NamedCaches,
    CacheXMetrics,
    CacheInterceptor,
    CacheCredentials,
    BackendCalls,
    RESOLVED_CACHEX_OPTIONS,
  ],
})
export class CacheXModule extends ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(private readonly caches: NamedCaches) {
    super();
  }

  /**
   * Registers the module; every option has a default, so `forRoot()` alone
   * works. Each of `caches` gets a token for `@InjectCache(name)`.
   */
  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot({ cacheNames: Object.keys(options.caches ?? {}), ...options });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.caches.everyBackend().map((backend) => backend.close()));
  }
}
