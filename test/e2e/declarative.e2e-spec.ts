/**
 * Declarative caching over HTTP, on every platform and backend:
 * `CDN-Cache-Control` beside `Cache-Control`; `@CacheEvict` on write routes
 * and on provider methods, seen by a second instance on the same backend;
 * `@Cacheable` provider methods, coalesced across instances; named caches
 * kept apart.
 */
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  type INestApplication,
  Injectable,
  type ModuleMetadata,
  Param,
  Post,
  Put,
  Scope,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Cache,
  type CacheBackend,
  Cacheable,
  CacheEvict,
  CacheManager,
  CacheXModule,
  type CacheXModuleOptions,
  InjectCache,
  MemoryBackend,
  TieredBackend,
} from 'nestjs-cachex';
import { RedisBackend, RedisBus } from 'nestjs-cachex/redis';
import request from 'supertest';
import {
  type BackendCase,
  backendCase,
  describeBackend,
  describeEachBackend,
} from '../support/backends.js';
import { type Platform, platforms, startApp } from '../support/cache-app.js';
import { FaultyBackend } from '../support/faulty-backend.js';
import { redisSubscribers } from '../support/server-stats.js';
import { eventually, sleep } from '../support/time.js';

/** Handler runs per name, reset before each app. */
const runs: Record<string, number> = {};
const count = (name: string): number => (runs[name] = (runs[name] ?? 0) + 1);

@Controller()
class CatalogController {
  @Cache({ ttl: 10, cdn: { maxAge: 3600, staleWhileRevalidate: 60, staleIfError: 86400 } })
  @Get('catalog')
  catalog() {
    return { items: 3 };
  }
}

@Injectable()
class ProductsService {
  readonly names = new Map([
    ['1', 'apple'],
    ['2', 'pear'],
  ]);

  @CacheEvict({ paths: ([id]: [string]) => [`/products/${id}`], tags: ['catalog'] })
  async rename(id: string, name: string): Promise<{ id: string; name: string }> {
    this.names.set(id, name);
    return { id, name };
  }

  @CacheEvict({ paths: ['/products'], keys: ['featured'] })
  async failingWrite(): Promise<void> {
    throw new Error('the write failed');
  }

  @CacheEvict({ keys: (_args, result) => [`featured:${String(result)}`] })
  async unfeature(id: string): Promise<string> {
    return id;
  }
}

@Controller()
class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Cache(60)
  @Get('products')
  list() {
    return { names: [...this.products.names.values()], run: count('list') };
  }

  @Cache(60)
  @Get('products/:id')
  one(@Param('id') id: string) {
    return { name: this.products.names.get(id), run: count(`one:${id}`) };
  }

  @Cache({ ttl: 60, tags: ['catalog'] })
  @Get('summary')
  summary() {
    return { size: this.products.names.size, run: count('summary') };
  }

  @Cache({ ttl: 60, staleWhileRevalidate: 30, tags: ['catalog'] })
  @Get('banner')
  banner() {
    return { run: count('banner') };
  }

  @CacheEvict({ paths: ['/products', '/products/:id'] })
  @Put('products/:id')
  update(@Param('id') id: string, @Body() body: { name: string }) {
    this.products.names.set(id, body.name);
    return { id, name: body.name };
  }

  @CacheEvict({ paths: ['/products'] })
  @Post('products/:id/reject')
  reject(): never {
    throw new BadRequestException('no');
  }

  @Post('products/:id/rename')
  rename(@Param('id') id: string, @Body() body: { name: string }) {
    return this.products.rename(id, body.name);
  }

  @CacheEvict({ tags: ['catalog'], soft: true })
  @Post('catalog/refresh')
  refresh() {
    return { ok: true };
  }
}

@Injectable()
class PricesService {
  /** What `price` answers next. */
  mode: 'ok' | 'throw' | 'undefined' = 'ok';

  @Cacheable({ ttl: 60, tags: ['prices', (_args, price) => `price:${String(price)}`] })
  async price(sku: string): Promise<number | undefined> {
    count('price');
    await sleep(100);
    if (this.mode === 'throw') throw new Error('pricing is down');
    if (this.mode === 'undefined') return undefined;
    return sku.length * 10 + (runs['price'] ?? 0);
  }

  @Cacheable({ key: (sku: string) => `stock:${sku}`, ttl: 1, staleWhileRevalidate: 30 })
  async stock(_sku: string): Promise<number> {
    return count('stock');
  }

  @CacheEvict({ tags: ['prices'] })
  async reprice(): Promise<void> {}

  @CacheEvict({ keys: ([sku]: [string]) => [`stock:${sku}`], soft: true })
  async restock(_sku: string): Promise<void> {}
}

@Controller()
class PricesController {
  constructor(private readonly prices: PricesService) {}

  @Get('price/:sku')
  async price(@Param('sku') sku: string) {
    return { price: (await this.prices.price(sku)) ?? null };
  }

  @Post('reprice')
  reprice() {
    return this.prices.reprice();
  }
}

@Injectable()
class Caches {
  constructor(
    @InjectCache('hot') readonly hot: CacheBackend,
    @InjectCache() readonly main: CacheBackend,
  ) {}
}

@Controller()
class BoardController {
  @Cache({ ttl: 60, cache: 'hot', tags: ['board'] })
  @Get('leaderboard')
  leaderboard() {
    return { run: count('leaderboard') };
  }

  /** A write to the path: `invalidateOnWrite` clears it. */
  @Post('leaderboard')
  score() {
    return {};
  }

  @CacheEvict({ tags: ['board'] })
  @Post('season/end')
  endSeason() {
    return {};
  }

  @Cache(60)
  @Get('news')
  news() {
    return { run: count('news') };
  }
}

/** An app of this file: what it starts beside `CacheXModule`, and module options of its own. */
interface DeclarativeApp extends Pick<ModuleMetadata, 'controllers' | 'providers'> {
  options?: Omit<CacheXModuleOptions, 'backend'>;
}

const APPS = {
  catalog: { controllers: [CatalogController] },
  shop: {
    controllers: [ProductsController],
    providers: [ProductsService],
    options: { earlyHits: false },
  },
  prices: { controllers: [PricesController], providers: [PricesService] },
  board: {
    controllers: [BoardController],
    providers: [Caches],
    options: { invalidateOnWrite: true },
  },
} satisfies Record<string, DeclarativeApp>;

/** Starts `APPS[name]` on `platform`, with `options` (its backend, at least) beside its own. */
async function startDeclarativeApp(
  name: keyof typeof APPS,
  options: CacheXModuleOptions,
  platform: Platform,
): Promise<INestApplication> {
  const { options: own, ...metadata }: DeclarativeApp = APPS[name];
  const moduleRef = await Test.createTestingModule({
    imports: [CacheXModule.forRoot({ ...own, ...options })],
    ...metadata,
  }).compile();
  return startApp(moduleRef, platform);
}

/** The `Cache-Status` of a GET. */
async function cacheStatus(app: INestApplication, path: string): Promise<string> {
  const res = await request(app.getHttpServer()).get(path).expect(200);
  return res.headers['cache-status'] as string;
}

const prefixOf = (backendCase: BackendCase, platform: Platform, suite: string): string =>
  `declarative-${suite}-${backendCase.name}-${platform}-${process.pid}-${Date.now()}:`;

describeEachBackend('declarative caching', (backendCase, platform) => {
  describe('CDN-Cache-Control', () => {
    let app: INestApplication;
    beforeAll(async () => {
      const backend = backendCase.create({ keyPrefix: prefixOf(backendCase, platform, 'cdn') });
      app = await startDeclarativeApp('catalog', { backend }, platform);
    });
    afterAll(() => app.close());

    it('is sent beside Cache-Control on the miss, the hit and the 304', async () => {
      const cdn = 'max-age=3600, stale-while-revalidate=60, stale-if-error=86400';
      const miss = await request(app.getHttpServer()).get('/catalog').expect(200);
      expect(miss.headers['cache-control']).toBe('max-age=10');
      expect(miss.headers['cdn-cache-control']).toBe(cdn);
      const hit = await request(app.getHttpServer()).get('/catalog').expect(200);
      expect(hit.headers['cache-status']).toMatch(/hit/);
      expect(hit.headers['cdn-cache-control']).toBe(cdn);
      const notModified = await request(app.getHttpServer())
        .get('/catalog')
        .set('If-None-Match', hit.headers['etag']!)
        .expect(304);
      expect(notModified.headers['cdn-cache-control']).toBe(cdn);
    });

    it('is not sent on a response to a request with credentials (not shared)', async () => {
      const res = await request(app.getHttpServer())
        .get('/catalog')
        .set('Authorization', 'Bearer someone')
        .expect(200);
      expect(res.headers['cache-status']).toMatch(/bypass/);
      expect(res.headers['cdn-cache-control']).toBeUndefined();
    });
  });

  describe('@CacheEvict', () => {
    let app: INestApplication;
    let prefix: string;
    beforeEach(async () => {
      for (const name of Object.keys(runs)) delete runs[name];
      prefix = prefixOf(backendCase, platform, 'evict');
      const backend = backendCase.create({ keyPrefix: prefix });
      app = await startDeclarativeApp('shop', { backend }, platform);
    });
    afterEach(() => app.close());

    it("removes a write route's paths, templates filled from its params, after a 2xx", async () => {
      await request(app.getHttpServer()).get('/products').expect(200);
      await request(app.getHttpServer()).get('/products/1').expect(200);
      await request(app.getHttpServer()).get('/products/2').expect(200);
      await request(app.getHttpServer()).put('/products/1').send({ name: 'quince' }).expect(200);
      const one = await request(app.getHttpServer()).get('/products/1').expect(200);
      expect(one.body).toEqual({ name: 'quince', run: 2 });
      expect(await cacheStatus(app, '/products')).toMatch(/fwd=miss; stored/);
      expect(await cacheStatus(app, '/products/2')).toMatch(/; hit/);
    });

    it('evicts nothing when the route throws', async () => {
      await request(app.getHttpServer()).get('/products').expect(200);
      await request(app.getHttpServer()).post('/products/1/reject').expect(400);
      expect(await cacheStatus(app, '/products')).toMatch(/; hit/);
    });

    it("a provider method's paths and tags go when it resolves", async () => {
      await request(app.getHttpServer()).get('/products/2').expect(200);
      await request(app.getHttpServer()).get('/summary').expect(200);
      await request(app.getHttpServer()).get('/products').expect(200);
      await request(app.getHttpServer())
        .post('/products/2/rename')
        .send({ name: 'plum' })
        .expect(201);
      expect((await request(app.getHttpServer()).get('/products/2')).body).toEqual({
        name: 'plum',
        run: 2,
      });
      expect(await cacheStatus(app, '/summary')).toMatch(/fwd=miss; stored/);
      expect(await cacheStatus(app, '/products')).toMatch(/; hit/);
    });

    it("a provider method's CacheManager keys go, and nothing when it rejects", async () => {
      const manager = app.get(CacheManager);
      const products = app.get(ProductsService);
      await manager.set('featured', ['1']);
      await manager.set('featured:2', true);
      await request(app.getHttpServer()).get('/products').expect(200);
      await expect(products.failingWrite()).rejects.toThrow('the write failed');
      expect(await manager.has('featured')).toBe(true);
      expect(await cacheStatus(app, '/products')).toMatch(/; hit/);
      await expect(products.unfeature('2')).resolves.toBe('2');
      expect(await manager.has('featured:2')).toBe(false);
    });

    it('soft: tagged entries are served stale once, then refreshed', async () => {
      await request(app.getHttpServer()).get('/banner').expect(200);
      await request(app.getHttpServer()).post('/catalog/refresh').expect(201);
      const stale = await request(app.getHttpServer()).get('/banner').expect(200);
      expect(stale.body).toEqual({ run: 1 });
      expect(stale.headers['cache-status']).toMatch(/; hit; ttl=-?0/);
      await eventually(() => expect(runs['banner']).toBe(2));
      await eventually(async () =>
        expect((await request(app.getHttpServer()).get('/banner')).body).toEqual({ run: 2 }),
      );
    });

    if (backendCase.name !== 'memory') {
      it('a second instance on the same backend sees the eviction', async () => {
        const backend = backendCase.create({ keyPrefix: prefix });
        const other = await startDeclarativeApp('shop', { backend }, platform);
        // One Host for both instances: the origin is part of the key.
        const get = (on: INestApplication) =>
          request(on.getHttpServer()).get('/products/1').set('Host', 'shop.example');
        try {
          await get(app).expect(200);
          expect((await get(other).expect(200)).headers['cache-status']).toMatch(/; hit/);
          await request(other.getHttpServer())
            .put('/products/1')
            .send({ name: 'quince' })
            .expect(200);
          // Memcached instances see another's purge within `generationCacheMs` (1 s).
          const after = await eventually(async () => {
            const res = await get(app).expect(200);
            expect(res.headers['cache-status']).toMatch(/fwd=miss; stored/);
            return res;
          });
          expect(after.body).toEqual({ name: 'apple', run: 2 });
        } finally {
          await other.close();
        }
      });
    }
  });

  describe('named caches', () => {
    let app: INestApplication;
    let hot: CacheBackend;
    let main: CacheBackend;
    beforeEach(async () => {
      for (const name of Object.keys(runs)) delete runs[name];
      main = backendCase.create({ keyPrefix: prefixOf(backendCase, platform, 'main') });
      hot = backendCase.create({ keyPrefix: prefixOf(backendCase, platform, 'hot') });
      app = await startDeclarativeApp('board', { backend: main, caches: { hot } }, platform);
    });
    afterEach(() => app.close());

    it('a route of a named cache is stored there only, and @InjectCache gives it', async () => {
      const caches = app.get(Caches);
      expect(caches.hot).toBe(hot);
      expect(caches.main).toBe(main);
      await request(app.getHttpServer()).get('/leaderboard').expect(200);
      await request(app.getHttpServer()).get('/news').expect(200);
      await main.clearPath('/leaderboard');
      await hot.clearPath('/news');
      expect(await cacheStatus(app, '/leaderboard')).toMatch(/; hit/);
      expect(await cacheStatus(app, '/news')).toMatch(/; hit/);
      await hot.clearPath('/leaderboard');
      await eventually(async () =>
        expect(await cacheStatus(app, '/leaderboard')).toMatch(/fwd=miss; stored/),
      );
      expect(runs['leaderboard']).toBe(2);
    });

    it('invalidateOnWrite and @CacheEvict reach the named cache', async () => {
      const stored = /fwd=miss; stored/;
      expect(await cacheStatus(app, '/leaderboard')).toMatch(stored);
      await request(app.getHttpServer()).post('/leaderboard').expect(201);
      await eventually(async () => expect(await cacheStatus(app, '/leaderboard')).toMatch(stored));
      await request(app.getHttpServer()).post('/season/end').expect(201);
      await eventually(async () => expect(await cacheStatus(app, '/leaderboard')).toMatch(stored));
      expect(runs['leaderboard']).toBe(3);
    });

    it('every cache is closed on shutdown', async () => {
      const closed: string[] = [];
      for (const [name, backend] of [
        ['main', main],
        ['hot', hot],
      ] as const) {
        const close = backend.close.bind(backend);
        backend.close = () => {
          closed.push(name);
          return close();
        };
      }
      await app.close();
      expect(closed.sort()).toEqual(['hot', 'main']);
    });
  });

  describe('@Cacheable', () => {
    let apps: INestApplication[];
    beforeEach(async () => {
      for (const name of Object.keys(runs)) delete runs[name];
      const prefix = prefixOf(backendCase, platform, 'cacheable');
      // Memory is one process's: a second instance shares nothing with the first.
      const instances = backendCase.name === 'memory' ? 1 : 2;
      apps = [];
      for (let i = 0; i < instances; i++) {
        const backend = backendCase.create({ keyPrefix: prefix });
        apps.push(await startDeclarativeApp('prices', { backend }, platform));
      }
    });
    afterEach(() => Promise.all(apps.map((app) => app.close())));
    const service = () => apps[0]!.get(PricesService);

    it('100 concurrent calls over HTTP, across instances, run the method once', async () => {
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          request(apps[i % apps.length]!.getHttpServer())
            .get('/price/abc')
            .expect(200),
        ),
      );
      for (const res of answers) expect(res.body).toEqual({ price: 31 });
      expect(runs['price']).toBe(1);
      const manager = apps[0]!.get(CacheManager);
      expect(await manager.get('PricesService.price:["abc"]')).toBe(31);
    });

    it('keeps neither errors nor undefined', async () => {
      for (const app of apps) app.get(PricesService).mode = 'throw';
      await request(apps[0]!.getHttpServer()).get('/price/ab').expect(500);
      service().mode = 'undefined';
      const none = await request(apps[0]!.getHttpServer()).get('/price/ab').expect(200);
      expect(none.body).toEqual({ price: null });
      service().mode = 'ok';
      const first = await request(apps[0]!.getHttpServer()).get('/price/ab').expect(200);
      expect(first.body).toEqual({ price: 23 });
      await request(apps[0]!.getHttpServer()).get('/price/ab').expect(200);
      expect(runs['price']).toBe(3);
    });

    it('tags, static or of the value, evict it through @CacheEvict', async () => {
      await request(apps[0]!.getHttpServer()).get('/price/ab').expect(200);
      await request(apps[0]!.getHttpServer()).post('/reprice').expect(201);
      const again = await request(apps[0]!.getHttpServer()).get('/price/ab').expect(200);
      expect(again.body).toEqual({ price: 22 });
      expect(runs['price']).toBe(2);
    });

    it('staleWhileRevalidate: a stale or softly evicted value answers while one call refreshes it', async () => {
      expect(await service().stock('x')).toBe(1);
      expect(await service().stock('x')).toBe(1);
      await service().restock('x');
      expect(await service().stock('x')).toBe(1);
      await eventually(() => expect(runs['stock']).toBe(2));
      await eventually(async () => expect(await service().stock('x')).toBe(2));
      await sleep(1100);
      expect(await service().stock('x')).toBe(2);
      await eventually(async () => expect(await service().stock('x')).toBe(3));
    });
  });
});

describe('binding at start-up', () => {
  @Controller()
  class ColdController {
    @Cache({ ttl: 60, cache: 'cold' })
    @Get('cold')
    cold() {
      return {};
    }
  }

  it('forRootAsync provides the caches listed in cacheNames', async () => {
    const hot = new MemoryBackend();
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheXModule.forRootAsync({ useFactory: () => ({ caches: { hot } }), cacheNames: ['hot'] }),
      ],
      providers: [Caches],
    }).compile();
    expect(moduleRef.get(Caches).hot).toBe(hot);
    await moduleRef.close();
  });

  it('refuses @Cacheable on a route handler', async () => {
    @Controller()
    class MisplacedController {
      @Cacheable()
      @Get('misplaced')
      async misplaced() {
        return {};
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [CacheXModule.forRoot()],
      controllers: [MisplacedController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(
      /@Cacheable\(\) on MisplacedController\.misplaced\(\): a route handler's response is cached with @Cache\(\)/,
    );
    await app.close();
  });

  it('refuses a route whose cache is not named in forRoot, naming it', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CacheXModule.forRoot({ caches: { hot: new MemoryBackend() } })],
      controllers: [ColdController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(/no cache named "cold"/);
    await app.close();
  });

  @Injectable({ scope: Scope.REQUEST })
  class PerRequestService {
    @Cacheable()
    async value(): Promise<number> {
      return 1;
    }
  }

  it('refuses @Cacheable on a request-scoped provider, naming it', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CacheXModule.forRoot()],
      providers: [PerRequestService],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(
      /@Cacheable\(\) on PerRequestService\.value\(\): the provider is request-scoped/,
    );
    await app.close();
  });
});

describe('a failing backend', () => {
  it('@Cacheable methods answer themselves, and @CacheEvict methods still succeed', async () => {
    for (const name of Object.keys(runs)) delete runs[name];
    const backend = new FaultyBackend();
    const app = await startDeclarativeApp('prices', { backend }, 'express');
    try {
      backend.mode = 'error';
      const price = await request(app.getHttpServer()).get('/price/abc').expect(200);
      expect(price.body).toEqual({ price: 31 });
      await request(app.getHttpServer()).post('/reprice').expect(201);
      expect(backend.faultedCalls).toBeGreaterThan(1);
    } finally {
      await app.close();
    }
  });
});

describeBackend(backendCase('redis'))('@CacheEvict on two tiers', () => {
  const port = Number(process.env.CACHEX_REDIS_PORT);

  it.each(platforms)(
    "on %s, an eviction reaches the other instance's local tier through the bus",
    async (platform) => {
      for (const name of Object.keys(runs)) delete runs[name];
      const suffix = `${platform}-${process.pid}-${Date.now()}`;
      const tiered = () =>
        new TieredBackend({
          local: new MemoryBackend(),
          shared: new RedisBackend({ host: '127.0.0.1', port, keyPrefix: `tiers-${suffix}:` }),
          bus: new RedisBus({ host: '127.0.0.1', port, channel: `tiers-${suffix}` }),
        });
      const apps = [
        await startDeclarativeApp('shop', { backend: tiered() }, platform),
        await startDeclarativeApp('shop', { backend: tiered() }, platform),
      ];
      const [a, b] = apps as [INestApplication, INestApplication];
      const get = (app: INestApplication) =>
        request(app.getHttpServer()).get('/products/1').set('Host', 'shop.example');
      try {
        await eventually(async () =>
          expect(await redisSubscribers(port, `tiers-${suffix}`)).toBe(2),
        );
        await get(a).expect(200);
        await get(b).expect(200);
        expect((await get(a).expect(200)).headers['cache-status']).toMatch(/; hit/);
        await request(b.getHttpServer()).put('/products/1').send({ name: 'quince' }).expect(200);
        const after = await eventually(async () => {
          const res = await get(a).expect(200);
          expect(res.headers['cache-status']).toMatch(/fwd=miss; stored/);
          return res;
        });
        // Each instance has its own in-memory catalogue: A's still says apple.
        expect(after.body).toEqual({ name: 'apple', run: 2 });
      } finally {
        await Promise.all(apps.map((app) => app.close()));
      }
    },
  );
});
