/**
 * `cachex-memory`, `cachex-redis`, `cachex-memcached` and, on Fastify,
 * `cachex-fastify-memory` and `cachex-fastify-redis`, and `cachex-tiered-redis`:
 * nestjs-cachex, loaded by package name from its build, with its global
 * interceptor and `@Cache(60)` on the routes. BENCH_STORE=memory|redis|memcached|tiered
 * (tiered: a MemoryBackend in front of Redis, a RedisBus; BENCH_BUS_LOSS_MS sets its
 * busLossMaxAgeMs); BENCH_REDIS_PORT or
 * BENCH_MEMCACHED_PORT for the servers; BENCH_PLATFORM=express|fastify (see
 * nest-bootstrap.ts). BENCH_METRICS=off (`cachex-memory-nometrics`) replaces
 * CacheXMetrics with one that records nothing, to measure what counting costs:
 * the module has no switch (metrics are always on), so the provider is
 * overridden here, in the bench only.
 */
import { type DynamicModule, Controller, Module } from '@nestjs/common';
import {
  Cache,
  CacheBackend,
  CacheXMetrics,
  CacheXModule,
  MemoryBackend,
  TieredBackend,
} from 'nestjs-cachex';
import { requiredEnv, serveNest } from './nest-bootstrap.js';
import { BenchRoutes, RunsController } from './bench-routes.js';

const TTL_SECONDS = 60;
const store = process.env['BENCH_STORE'] ?? 'memory';

/** Every route cached for TTL_SECONDS (`/__runs` is a controller of its own). */
@Controller()
@Cache(TTL_SECONDS)
class BenchController extends BenchRoutes {}

async function backend(): Promise<CacheBackend> {
  if (store === 'memory') return new MemoryBackend();
  if (store === 'redis') {
    const { RedisBackend } = await import('nestjs-cachex/redis');
    return new RedisBackend({ host: '127.0.0.1', port: Number(requiredEnv('BENCH_REDIS_PORT')) });
  }
  if (store === 'tiered') {
    const { RedisBackend, RedisBus } = await import('nestjs-cachex/redis');
    const redis = { host: '127.0.0.1', port: Number(requiredEnv('BENCH_REDIS_PORT')) };
    const busLoss = process.env['BENCH_BUS_LOSS_MS'];
    return new TieredBackend({
      local: new MemoryBackend(),
      shared: new RedisBackend(redis),
      bus: new RedisBus(redis),
      ...(busLoss && { busLossMaxAgeMs: Number(busLoss) }),
    });
  }
  if (store === 'memcached') {
    const { MemcachedBackend } = await import('nestjs-cachex/memcached');
    return new MemcachedBackend({ servers: [`127.0.0.1:${requiredEnv('BENCH_MEMCACHED_PORT')}`] });
  }
  throw new Error(`BENCH_STORE=${store}: expected memory, redis, memcached or tiered`);
}

/**
 * CacheXModule with, under BENCH_METRICS=off, a CacheXMetrics whose counting
 * methods do nothing: a provider of the dynamic module replaces the one its
 * class declares. The interceptor still calls them; they record nothing.
 */
function cachexModule(cacheBackend: CacheBackend): DynamicModule {
  const module = CacheXModule.forRoot({
    backend: cacheBackend,
    // BENCH_CACHE_COMPRESSION=off: no stored variants (a compression middleware compresses each hit).
    ...(process.env['BENCH_CACHE_COMPRESSION'] === 'off' && { compression: false }),
  });
  if (process.env['BENCH_METRICS'] !== 'off') return module;
  const recordNothing = {
    provide: CacheXMetrics,
    inject: [CacheBackend],
    useFactory: (b: CacheBackend) =>
      Object.assign(new CacheXMetrics(b), { countRequest() {}, countBackendCall() {} }),
  };
  return { ...module, providers: [...(module.providers ?? []), recordNothing] };
}

@Module({
  imports: [cachexModule(await backend())],
  controllers: [BenchController, RunsController],
})
class BenchModule {}

await serveNest(BenchModule);
