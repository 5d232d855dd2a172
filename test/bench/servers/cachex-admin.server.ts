/**
 * `cachex-admin`, for scenarios/admin-page.mjs: `cachex-memory` (Express)
 * with CacheXAdminModule at `/cachex` behind a guard that lets every request
 * in, its MemoryBackend holding BENCH_ADMIN_ENTRIES entries (default
 * 100 000) stored before it listens, as the interceptor would have stored
 * them: one per product page on one Host, with a path, tags and a small
 * JSON body.
 */
import { type CanActivate, Controller, Module } from '@nestjs/common';
import {
  Cache,
  type CacheEntry,
  CacheXAdminModule,
  CacheXModule,
  MemoryBackend,
} from 'nestjs-cachex';
import { serveNest } from './nest-bootstrap.js';
import { BenchRoutes, RunsController } from './bench-routes.js';

const ENTRIES = Number(process.env['BENCH_ADMIN_ENTRIES'] ?? 100_000);

@Controller()
@Cache(60)
class BenchController extends BenchRoutes {}

/** The page's guard in the bench: everyone is an admin. */
class LetEveryoneIn implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

function entry(path: string, id: number, now: number): CacheEntry {
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', etag: `"p-${id}"` },
    body: Buffer.from(JSON.stringify({ id, name: `Product number ${id}`, price: id % 1000 })),
    storedAt: now,
    maxAge: 3600,
    path,
    query: '',
    tags: ['products', `product:${id}`],
  };
}

const backend = new MemoryBackend({ maxEntries: ENTRIES + 10_000, maxBytes: 1024 ** 3 });
const now = Date.now();
for (let id = 0; id < ENTRIES; id++) {
  const path = `/products/${id}`;
  await backend.set(`GET|||shop.test|||${path}|||`, entry(path, id, now));
}

@Module({
  imports: [
    CacheXModule.forRoot({ backend }),
    CacheXAdminModule.register({ path: 'cachex', guard: LetEveryoneIn }),
  ],
  controllers: [BenchController, RunsController],
})
class AdminBenchModule {}

await serveNest(AdminBenchModule);
