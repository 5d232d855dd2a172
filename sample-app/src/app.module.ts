import { type DynamicModule, Module } from '@nestjs/common';
import { type CacheBackend, CacheXAdminModule, CacheXModule, MemoryBackend } from 'nestjs-cachex';
import { AdminGuard } from './admin/admin.guard.js';
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

/**
 * The sample app: a product catalogue cached by nestjs-cachex, with sessions.
 * The cache's admin page is at `GET /admin/cache`, for signed-in admins only
 * (`AdminGuard`); sign in as `ada` / `lovelace-demo` and open it in a browser,
 * or use its JSON API with the session cookie:
 *
 * curl -c jar -X POST localhost:3000/auth/login -H 'content-type: application/json' \
 *      -d '{"username":"ada","password":"lovelace-demo"}'
 * curl -b jar localhost:3000/admin/cache/api/keys
 * curl -b jar -X POST localhost:3000/admin/cache/api/purge -H 'content-type: application/json' \
 *      -d '{"path":"/products/1"}'
 */
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
          }),
        }),
        ProductsModule,
        AuthModule,
        CacheXAdminModule.register({ path: 'admin/cache', guard: AdminGuard }),
      ],
    };
  }
}
