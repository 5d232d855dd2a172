import { type DynamicModule, Module } from '@nestjs/common';
import { type CacheBackend, CacheXModule, MemoryBackend } from 'nestjs-cachex';
import { CacheAdminController } from './admin/cache-admin.controller.js';
import { AuthModule } from './auth/auth.module.js';
import { ProductsModule } from './products/products.module.js';

/**
 * Chooses the backend from the environment: CACHE_BACKEND=memory (default,
 * no server needed), `redis` (REDIS_URL) or `memcached` (MEMCACHED_SERVERS).
 * The client libraries load only when chosen.
 */
async function backendFromEnv(): Promise<CacheBackend> {
  switch (process.env.CACHE_BACKEND ?? 'memory') {
    case 'redis': {
      const { RedisBackend } = await import('nestjs-cachex/redis');
      const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
      return new RedisBackend({ host: url.hostname, port: Number(url.port || 6379) });
    }
    case 'memcached': {
      const { MemcachedBackend } = await import('nestjs-cachex/memcached');
      return new MemcachedBackend({
        servers: (process.env.MEMCACHED_SERVERS ?? '127.0.0.1:11211').split(','),
      });
    }
    default:
      return new MemoryBackend({ maxEntries: 5_000, maxBytes: 32 * 1024 * 1024 });
  }
}

/** The sample app: a product catalogue cached by nestjs-cachex, with sessions. */
@Module({})
export class AppModule {
  static register(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CacheXModule.forRootAsync({
          useFactory: async () => ({
            backend: await backendFromEnv(),
            defaultTtl: 30,
            surrogateKeys: true,
            invalidateOnWrite: true,
          }),
        }),
        ProductsModule,
        AuthModule,
      ],
      controllers: [CacheAdminController],
    };
  }
}
