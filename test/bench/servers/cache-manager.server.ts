/**
 * `cache-manager-memory`, `cache-manager-redis` and `cache-manager-fastify-memory`:
 * @nestjs/cache-manager with its `CacheInterceptor` on the routes, as its
 * documentation sets it up: the default in-memory Keyv store, or Redis through
 * `@keyv/redis`. BENCH_STORE=memory|redis; BENCH_REDIS_PORT for redis;
 * BENCH_PLATFORM=express|fastify (see nest-bootstrap.ts).
 */
import { CacheInterceptor, CacheModule, CacheTTL } from '@nestjs/cache-manager';
import { Controller, Module, UseInterceptors } from '@nestjs/common';
import { createKeyv } from '@keyv/redis';
import { requiredEnv, serveNest } from './nest-bootstrap.js';
import { BenchRoutes, RunsController } from './bench-routes.js';

const TTL_MS = 60_000;
const store = process.env['BENCH_STORE'] ?? 'memory';

@Controller()
@UseInterceptors(CacheInterceptor)
@CacheTTL(TTL_MS)
class BenchController extends BenchRoutes {}

function cacheModule() {
  if (store === 'memory') return CacheModule.register({ ttl: TTL_MS });
  if (store === 'redis') {
    const url = `redis://127.0.0.1:${requiredEnv('BENCH_REDIS_PORT')}`;
    return CacheModule.register({ ttl: TTL_MS, stores: [createKeyv(url)] });
  }
  throw new Error(`BENCH_STORE=${store}: expected memory or redis`);
}

@Module({ imports: [cacheModule()], controllers: [BenchController, RunsController] })
class BenchModule {}

await serveNest(BenchModule);
