/**
 * `cachex-memory`, `cachex-redis`, `cachex-memcached` and, on Fastify,
 * `cachex-fastify-memory` and `cachex-fastify-redis`, and `cachex-tiered-redis`:
 * nestjs-cachex, loaded by package name from its build, with its global
 * interceptor and `@Cache(60)` on the routes. BENCH_STORE=memory|redis|memcached|tiered
 * (tiered: a MemoryBackend in front of Redis, a RedisBus); BENCH_REDIS_PORT or
 * BENCH_MEMCACHED_PORT for the servers; BENCH_PLATFORM=express|fastify (see
 * nest-bootstrap.ts).
 */
import { Controller, Module } from '@nestjs/common';
import {
  Cache,
  type CacheBackend,
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
    return new TieredBackend({
      local: new MemoryBackend(),
      shared: new RedisBackend(redis),
      bus: new RedisBus(redis),
    });
  }
  if (store === 'memcached') {
    const { MemcachedBackend } = await import('nestjs-cachex/memcached');
    return new MemcachedBackend({ servers: [`127.0.0.1:${requiredEnv('BENCH_MEMCACHED_PORT')}`] });
  }
  throw new Error(`BENCH_STORE=${store}: expected memory, redis, memcached or tiered`);
}

@Module({
  imports: [CacheXModule.forRoot({ backend: await backend() })],
  controllers: [BenchController, RunsController],
})
class BenchModule {}

await serveNest(BenchModule);
