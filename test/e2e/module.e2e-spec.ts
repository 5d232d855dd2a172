/**
 * CacheXModule wiring: forRoot / forRootAsync (useFactory, useClass,
 * useExisting), the global interceptor switch, CacheManager through HTTP,
 * failing backends answered by the handler, and a clean shutdown, on both
 * platforms (API.md "Platforms").
 */
import {
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
  type INestApplication,
  Module,
  Param,
  UseInterceptors,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Cache,
  CacheBackend,
  CacheInterceptor,
  CacheManager,
  CacheXConfigError,
  CacheXModule,
  type CacheXModuleOptions,
  MemoryBackend,
} from 'nestjs-cachex';
import request from 'supertest';
import { type Platform, platforms, startApp } from '../support/cache-app.js';
import { FaultyBackend } from '../support/faulty-backend.js';
import { sleep } from '../support/time.js';

let handlerRuns = 0;
let computations = 0;

@Controller()
class ProductsController {
  constructor(
    private readonly cache: CacheManager,
    readonly backend: CacheBackend,
  ) {}

  @Cache(60)
  @Get('cached')
  cached() {
    return { run: ++handlerRuns };
  }

  @Cache()
  @Get('default-ttl')
  defaultTtl() {
    return { run: ++handlerRuns };
  }

  @Get('price/:id')
  async price(@Param('id') id: string) {
    const value = await this.cache.getOrSet(
      `price:${id}`,
      async () => {
        computations++;
        await sleep(100);
        if (id === 'broken') throw new Error('no price');
        return { id, cents: 1999 };
      },
      60,
    );
    return { value, has: await this.cache.has(`price:${id}`) };
  }
}

@Controller('opt-in')
@UseInterceptors(CacheInterceptor)
class OptInController {
  @Cache(60)
  @Get()
  cached() {
    return { run: ++handlerRuns };
  }
}

/** A subclass that opts `?preview` requests out of the cache (the documented hook). */
@Injectable()
class PreviewAwareCacheInterceptor extends CacheInterceptor {
  protected override isCacheable(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<{ url: string }>().url.includes('?preview') === false;
  }
}

@Controller('previewed')
@UseInterceptors(PreviewAwareCacheInterceptor)
class PreviewedController {
  @Cache(60)
  @Get()
  cached() {
    return { run: ++handlerRuns };
  }
}

@Injectable()
class CacheConfig {
  create(): CacheXModuleOptions {
    return { defaultTtl: 42 };
  }
}

@Module({ providers: [CacheConfig], exports: [CacheConfig] })
class ConfigModule {}

/** Apps started by a test, closed after it whether it passed or not. */
const open: INestApplication[] = [];

async function start(
  platform: Platform,
  imports: unknown[],
  controllers: unknown[] = [ProductsController],
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: imports as never[],
    controllers: controllers as never[],
  }).compile();
  const app = await startApp(moduleRef, platform);
  open.push(app);
  return app;
}

async function hitsAfterMiss(app: INestApplication, path = '/cached'): Promise<string[]> {
  const statuses: string[] = [];
  for (let i = 0; i < 2; i++) {
    const res = await request(app.getHttpServer()).get(path).expect(200);
    statuses.push(String(res.headers['cache-status']));
  }
  return statuses;
}

beforeEach(() => {
  handlerRuns = 0;
  computations = 0;
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

describe.each(platforms)('CacheXModule on %s', (platform) => {
  describe('CacheXModule.forRoot', () => {
    it('defaults to a MemoryBackend and a global interceptor', async () => {
      const app = await start(platform, [CacheXModule.forRoot()]);
      expect(app.get(CacheBackend)).toBeInstanceOf(MemoryBackend);
      expect(await hitsAfterMiss(app)).toEqual([
        'cachex; fwd=miss; stored',
        expect.stringMatching(/^cachex; hit/),
      ]);
      expect(handlerRuns).toBe(1);
    });

    it('uses defaultTtl for @Cache() without a ttl', async () => {
      const app = await start(platform, [CacheXModule.forRoot({ defaultTtl: 15 })]);
      const res = await request(app.getHttpServer()).get('/default-ttl').expect(200);
      expect(res.headers['cache-control']).toBe('max-age=15');
    });

    it('uses a custom keyBuilder for every route', async () => {
      const app = await start(platform, [
        CacheXModule.forRoot({ keyBuilder: () => 'one-key-for-all' }),
      ]);
      await request(app.getHttpServer()).get('/cached').expect(200);
      const other = await request(app.getHttpServer()).get('/default-ttl').expect(200);
      expect(other.body).toEqual({ run: 1 });
      expect(await app.get(CacheBackend).get('one-key-for-all')).toBeDefined();
    });

    it('with interceptor: false, caches only routes that opt in', async () => {
      const app = await start(
        platform,
        [CacheXModule.forRoot({ interceptor: false })],
        [ProductsController, OptInController],
      );
      const plain = await request(app.getHttpServer()).get('/cached').expect(200);
      expect(plain.headers['cache-status']).toBeUndefined();
      expect(await hitsAfterMiss(app, '/opt-in')).toEqual([
        'cachex; fwd=miss; stored',
        expect.stringMatching(/^cachex; hit/),
      ]);
    });

    it('lets a subclass opt requests out with isCacheable', async () => {
      const app = await start(
        platform,
        [CacheXModule.forRoot({ interceptor: false })],
        [PreviewedController],
      );
      const http = () => request(app.getHttpServer());
      expect(await hitsAfterMiss(app, '/previewed')).toEqual([
        'cachex; fwd=miss; stored',
        expect.stringMatching(/^cachex; hit/),
      ]);
      const runsBefore = handlerRuns;
      for (let i = 0; i < 2; i++) {
        const preview = await http().get('/previewed?preview=1').expect(200);
        expect(preview.headers['cache-status']).toBe('cachex; fwd=bypass; detail=not-cacheable');
      }
      expect(handlerRuns).toBe(runsBefore + 2);
    });

    it.each<[string, CacheXModuleOptions]>([
      ['a negative defaultTtl', { defaultTtl: -1 }],
      ['a zero backendTimeoutMs', { backendTimeoutMs: 0 }],
      ['a bad status', { statuses: [700] }],
    ])('refuses %s at start-up', async (_name, options) => {
      await expect(start(platform, [CacheXModule.forRoot(options)])).rejects.toThrow(
        CacheXConfigError,
      );
    });
  });

  describe('CacheXModule.forRootAsync', () => {
    it.each([
      [
        'useFactory with inject',
        {
          imports: [ConfigModule],
          inject: [CacheConfig],
          useFactory: (c: CacheConfig) => c.create(),
        },
      ],
      ['useClass', { useClass: CacheConfig }],
      ['useExisting', { imports: [ConfigModule], useExisting: CacheConfig }],
    ])('configures the module with %s', async (_name, options) => {
      const app = await start(platform, [CacheXModule.forRootAsync(options as never)]);
      const res = await request(app.getHttpServer()).get('/default-ttl').expect(200);
      expect(res.headers['cache-control']).toBe('max-age=42');
      expect(await hitsAfterMiss(app, '/default-ttl')).toEqual([
        expect.stringMatching(/^cachex; hit/),
        expect.stringMatching(/^cachex; hit/),
      ]);
    });
  });

  describe('CacheManager over HTTP', () => {
    it('shares one computation between concurrent callers and then serves the stored value', async () => {
      const app = await start(platform, [CacheXModule.forRoot()]);
      const server = app.getHttpServer();
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => request(server).get('/price/7')),
      );
      for (const res of answers)
        expect(res.body).toEqual({ value: { id: '7', cents: 1999 }, has: true });
      expect(computations).toBe(1);
      await request(server).get('/price/7').expect(200);
      expect(computations).toBe(1);
    });

    it('does not store a failed computation', async () => {
      const app = await start(platform, [CacheXModule.forRoot()]);
      const server = app.getHttpServer();
      const answers = await Promise.all(
        Array.from({ length: 3 }, () => request(server).get('/price/broken')),
      );
      for (const res of answers) expect(res.status).toBe(500);
      expect(computations).toBe(1);
      await request(server).get('/price/broken').expect(500);
      expect(computations).toBe(2);
    });

    it('keeps its data apart from response entries', async () => {
      const app = await start(platform, [CacheXModule.forRoot()]);
      const manager = app.get(CacheManager);
      await manager.set('user:1', { name: 'Ada' });
      await manager.set('user:2', { name: 'Bob' });
      await manager.set('order:1', [1, 2]);
      await request(app.getHttpServer()).get('/cached').expect(200);
      expect(await app.get(CacheBackend).clear()).toBe(1);
      expect(await manager.get('user:1')).toEqual({ name: 'Ada' });
      expect(await manager.clearPattern('user:*')).toBe(2);
      expect(await manager.has('user:2')).toBe(false);
      expect(await manager.delete('order:1')).toBe(true);
      await manager.set('x', 1);
      expect(await manager.clear()).toBe(1);
    });
  });

  describe('a failing backend', () => {
    /** The module's bound on a backend call, in ms. */
    const BACKEND_TIMEOUT_MS = 100;
    /** Scheduling slack per request on a busy machine; a hung backend call would never end. */
    const SLACK_MS = 1500;

    it.each(['throw', 'hang'] as const)(
      'that calls %s: every request is answered by the handler',
      async (mode) => {
        const backend = new FaultyBackend();
        backend.mode = mode === 'throw' ? 'error' : 'hang';
        const app = await start(platform, [
          CacheXModule.forRoot({ backend, backendTimeoutMs: BACKEND_TIMEOUT_MS }),
        ]);
        for (let i = 0; i < 3; i++) {
          const started = performance.now();
          const res = await request(app.getHttpServer()).get('/cached').expect(200);
          expect(performance.now() - started).toBeLessThan(BACKEND_TIMEOUT_MS + SLACK_MS);
          expect(res.body).toEqual({ run: i + 1 });
          expect(res.headers['cache-status']).toBe('cachex; fwd=miss; detail=backend-error');
        }
        expect(backend.faultedCalls).toBe(3);
      },
    );
  });

  describe('shutdown', () => {
    it('closes the backend when the app closes', async () => {
      let closed = 0;
      const backend = new (class extends MemoryBackend {
        override close() {
          closed++;
          return super.close();
        }
      })();
      const app = await start(platform, [CacheXModule.forRoot({ backend })]);
      open.splice(open.indexOf(app), 1); // closed here, not after the test
      await app.close();
      expect(closed).toBe(1);
    });
  });
});
