export { CacheBackend } from './backends/cache-backend.js';
export type {
  CacheBackendOptions,
  CacheBackendStats,
  ClearPathOptions,
  InvalidateTagsOptions,
  KeyValueStore,
} from './backends/cache-backend.js';
export type { CacheEntry } from './backends/cache-entry.js';
export { MemoryBackend } from './backends/memory.backend.js';
export type { MemoryBackendOptions } from './backends/memory.backend.js';
export { TieredBackend } from './backends/tiered.backend.js';
export type { TieredBackendOptions } from './backends/tiered.backend.js';
export { CacheBus } from './backends/cache-bus.js';
export type { CacheBusMessage, CacheBusSubscriber } from './backends/cache-bus.js';
export type { CacheInvalidation } from './backends/cache-invalidation.js';
export { MemoryBus } from './backends/memory.bus.js';
export { CacheXModule } from './cache/cache.module.js';
export type { CacheXModuleOptions, CompressionOptions } from './cache/cache-module.options.js';
export type { ContentCoding } from './http/content-coding.js';
export { Cache } from './cache/cache.decorator.js';
export type { CacheOptions, CacheTag, CdnCacheOptions } from './cache/cache.options.js';
export { CacheInterceptor } from './cache/cache.interceptor.js';
export { CacheEvict } from './cache/cache-evict.decorator.js';
export type { CacheEvictOptions, EvictList, EvictNames } from './cache/cache-evict.options.js';
export { CacheEvictInterceptor } from './cache/cache-evict.interceptor.js';
export { Cacheable } from './cache/cacheable.decorator.js';
export type { CacheableOptions, CacheableTag } from './cache/cacheable.options.js';
export { InjectCache } from './cache/inject-cache.decorator.js';
export { getCacheToken } from './cache/named-caches.js';
export { CacheManager } from './cache/cache-manager.service.js';
export { defaultKeyBuilder } from './http/cache-key.js';
export type { HttpRequestLike } from './http/request.js';
export { Clock } from './common/clock.js';
export { CacheXConfigError, CacheXError, CacheXUnsupportedError } from './common/errors.js';
export { CacheXTimeoutError } from './common/with-timeout.js';
export type { CacheOutcome } from './http/cache-status.js';
export { CacheXMetrics } from './metrics/cachex-metrics.service.js';
export type {
  BackendCallMetrics,
  BackendCallResult,
  CacheXMetricsListener,
  CacheXMetricsSnapshot,
  RouteMetrics,
} from './metrics/cachex-metrics.service.js';
export { CACHEX_CHANNELS } from './metrics/cache-tracing.js';
export type {
  BackendCallContext,
  CacheFillContext,
  CacheLookupContext,
} from './metrics/cache-tracing.js';
export { CacheXAdminModule } from './admin/admin.module.js';
export type { CacheXAdminOptions } from './admin/admin.module.js';
