/**
 * The scenarios of @nestjs/cache-manager's own e2e suites (`tests/e2e`:
 * default ttl, custom ttl, async register with and without extra providers,
 * the X-Cache header, cache clean, multi store), ported to nestjs-cachex the
 * way the README's "Coming from @nestjs/cache-manager" maps them, on Express
 * and Fastify; then the differences that section promises.
 *
 * Expiry is proved without waiting: each app reads entry time from a fake
 * clock (`overrideProvider(Clock)`), which a test moves forward.
 */
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Injectable,
  type INestApplication,
  Module,
  Post,
  UseInterceptors,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Cache,
  CacheBackend,
  CacheInterceptor,
  CacheManager,
  CacheXModule,
  type CacheXModuleOptions,
  Clock,
  type KeyValueStore,
  MemoryBackend,
} from 'nestjs-cachex';
import request from 'supertest';
import { platforms, type Platform, startApp } from '../support/cache-app.js';
import { fakeClock } from '../support/fake-clock.js';
import { sleep } from '../support/time.js';

/** cache-manager's default-ttl, async-register and multi-store controllers, on `CacheManager`. */
@Controller()
class StoreController {
  constructor(private readonly cache: CacheManager) {}

  @Get()
  async getFromStore(): Promise<string> {
    const value = await this.cache.get<string>('key');
    if (!value) await this.cache.set('key', 'value');
    return value ?? 'Not found';
  }

  @Get('multi-store')
  async getFromMultiStore(): Promise<unknown> {
    const value = await this.cache.get<string>('multi-store-key');
    if (!value) await this.cache.set('multi-store-key', 'multi-store-value');
    return value;
  }
}

/** A route on the module's `defaultTtl`. */
@Controller('default-ttl')
class DefaultTtlController {
  counter = 0;

  @Cache()
  @Get()
  getNumber() {
    return this.counter++;
  }
}

/**
 * cache-manager's custom-ttl controller: `@CacheTTL(600)` on the class and
 * `@CacheTTL(500)` on one route (milliseconds) become `@Cache(6)` and
 * `@Cache(5)` (seconds); routes opt in with `@UseInterceptors`, as there.
 */
@Controller('custom-ttl')
@Cache(6)
class CustomTtlController {
  counter = 0;

  @Get()
  @Cache(5)
  @UseInterceptors(CacheInterceptor)
  getNumber() {
    return this.counter++;
  }

  @Get('controller')
  @UseInterceptors(CacheInterceptor)
  getNumberWithControllerTTL() {
    return this.counter++;
  }
}

/**
 * cache-manager's cache-clean controller: `@CacheKey('timeline')` becomes a
 * route `key`, and its `@CacheClean('timeline')` an explicit delete after a
 * successful write.
 */
@Controller()
class TimelineController {
  private readonly timeline = ['Initial post'];
  private counter = 0;

  constructor(private readonly backend: CacheBackend) {}

  @Cache({ key: () => 'timeline' })
  @Get('timeline')
  getTimeline() {
    return { timeline: this.timeline, counter: ++this.counter };
  }

  @Post('posts')
  async createPost(@Body() postData: { title?: string }) {
    if (!postData.title) throw new BadRequestException('Title is required');
    this.timeline.push(postData.title);
    await this.backend.delete('timeline');
    return { success: true, post: postData };
  }
}

/** Routes for the differences the README lists. */
@Controller('differences')
class DifferencesController {
  runs = { nothing: 0, slow: 0, write: 0 };

  @Cache(60)
  @Get('nothing')
  nothing(): void {
    this.runs.nothing++;
  }

  @Cache(60)
  @Get('slow')
  async slow() {
    await sleep(100);
    return { run: ++this.runs.slow };
  }

  @Cache(60)
  @Post('slow')
  write() {
    return { run: ++this.runs.write };
  }
}

@Injectable()
class ConfigService {
  getTtl(): number {
    return 42;
  }
}

@Module({ providers: [ConfigService], exports: [ConfigService] })
class ConfigModule {}

/** cache-manager's `CacheOptionsFactory`: `createCacheOptions()` becomes `create()`. */
@Injectable()
class CacheConfig {
  create(): CacheXModuleOptions {
    return { defaultTtl: 42 };
  }
}

/** The extra-providers variant: a factory class with a dependency of its own. */
@Injectable()
class CacheConfigFromService {
  constructor(private readonly config: ConfigService) {}

  create(): CacheXModuleOptions {
    return { defaultTtl: this.config.getTtl() };
  }
}

@Module({ providers: [CacheConfig], exports: [CacheConfig] })
class CacheConfigModule {}

/** A MemoryBackend that records the ttl of every `CacheManager.set`. */
class RecordingBackend extends MemoryBackend {
  readonly dataTtls: Array<[string, number | undefined]> = [];

  override namespace(name: string): KeyValueStore {
    const store = super.namespace(name);
    if (name !== 'data') return store;
    const ttls = this.dataTtls;
    return new Proxy(store, {
      get(target, property) {
        if (property === 'set') {
          return (key: string, value: string, ttlSeconds?: number) => {
            ttls.push([key, ttlSeconds]);
            return target.set(key, value, ttlSeconds);
          };
        }
        const member = Reflect.get(target, property) as unknown;
        return typeof member === 'function' ? member.bind(target) : member;
      },
    });
  }
}

const open: INestApplication[] = [];
/** The entry time of the apps `start` makes; a new one per test. */
let clock = fakeClock();

beforeEach(() => {
  clock = fakeClock();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

async function start(
  platform: Platform,
  imports: unknown[],
  controllers: unknown[],
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: imports as never[],
    controllers: controllers as never[],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = await startApp(moduleRef, platform);
  open.push(app);
  return app;
}

/** Moves the apps' clock `seconds` forward. */
const wait = (seconds: number): void => clock.advance(seconds * 1000);

const STORED = 'cachex; fwd=miss; stored';
const HIT = /^cachex; hit; ttl=\d+$/;

describe.each(platforms)('from @nestjs/cache-manager, on %s', (platform) => {
  describe('default ttl (tests/e2e/default-ttl)', () => {
    it('keeps a value CacheManager.set stores without a ttl', async () => {
      const backend = new RecordingBackend();
      const app = await start(platform, [CacheXModule.forRoot({ backend })], [StoreController]);
      await request(app.getHttpServer()).get('/').expect(200, 'Not found');
      await request(app.getHttpServer()).get('/').expect(200, 'value');
      await request(app.getHttpServer()).get('/').expect(200, 'value');
      expect(backend.dataTtls).toEqual([['key', undefined]]);
    });

    it('gives @Cache() the module defaultTtl, and the entry expires after it', async () => {
      const app = await start(
        platform,
        [CacheXModule.forRoot({ defaultTtl: 5 })],
        [DefaultTtlController],
      );
      const server = app.getHttpServer();
      const miss = await request(server).get('/default-ttl').expect(200, '0');
      expect(miss.headers['cache-control']).toBe('max-age=5');
      expect(miss.headers['cache-status']).toBe(STORED);
      wait(3);
      const hit = await request(server).get('/default-ttl').expect(200, '0');
      expect(hit.headers['cache-status']).toBe('cachex; hit; ttl=2');
      expect(hit.headers['age']).toBe('3');
      wait(2);
      const expired = await request(server).get('/default-ttl').expect(200, '1');
      expect(expired.headers['cache-status']).toBe(STORED);
    });

    it('gives @Cache() 60 seconds when the module names no defaultTtl', async () => {
      const app = await start(platform, [CacheXModule.forRoot()], [DefaultTtlController]);
      const res = await request(app.getHttpServer()).get('/default-ttl').expect(200, '0');
      expect(res.headers['cache-control']).toBe('max-age=60');
    });
  });

  describe('custom ttl (tests/e2e/custom-ttl), routes opting in with interceptor: false', () => {
    const startCustomTtl = () =>
      start(platform, [CacheXModule.forRoot({ interceptor: false })], [CustomTtlController]);

    it('returns a different value after the TTL is elapsed', async () => {
      const app = await startCustomTtl();
      const first = await request(app.getHttpServer()).get('/custom-ttl').expect(200, '0');
      expect(first.headers['cache-control']).toBe('max-age=5');
      wait(5);
      await request(app.getHttpServer()).get('/custom-ttl').expect(200, '1');
    });

    it('returns the cached value within the TTL', async () => {
      const app = await startCustomTtl();
      await request(app.getHttpServer()).get('/custom-ttl').expect(200, '0');
      wait(3);
      const res = await request(app.getHttpServer()).get('/custom-ttl').expect(200, '0');
      expect(res.headers['cache-status']).toBe('cachex; hit; ttl=2');
    });

    it('returns a different value after the TTL of the controller is elapsed', async () => {
      const app = await startCustomTtl();
      const first = await request(app.getHttpServer())
        .get('/custom-ttl/controller')
        .expect(200, '0');
      expect(first.headers['cache-control']).toBe('max-age=6');
      wait(6);
      await request(app.getHttpServer()).get('/custom-ttl/controller').expect(200, '1');
    });

    it('returns the cached value within the TTL of the controller', async () => {
      const app = await startCustomTtl();
      await request(app.getHttpServer()).get('/custom-ttl/controller').expect(200, '0');
      wait(5);
      const res = await request(app.getHttpServer()).get('/custom-ttl/controller').expect(200, '0');
      expect(res.headers['cache-status']).toBe('cachex; hit; ttl=1');
    });
  });

  describe('Cache-Status instead of X-Cache (tests/e2e/cache-header)', () => {
    it("says fwd=miss when the cache wasn't hit, and hit when it was", async () => {
      const app = await start(platform, [CacheXModule.forRoot()], [DefaultTtlController]);
      const miss = await request(app.getHttpServer()).get('/default-ttl');
      expect(miss.headers['cache-status']).toBe(STORED);
      const hit = await request(app.getHttpServer()).get('/default-ttl');
      expect(hit.headers['cache-status']).toMatch(HIT);
      expect(hit.headers['x-cache']).toBeUndefined();
    });
  });

  describe('async register (tests/e2e/async-register, async-register-extra-providers)', () => {
    it.each([
      [
        'useFactory with inject and imports',
        {
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({ defaultTtl: config.getTtl() }),
        },
      ],
      ['useClass', { useClass: CacheConfig }],
      [
        'useClass whose class needs a provider (extraProviders → imports)',
        { imports: [ConfigModule], useClass: CacheConfigFromService },
      ],
      ['useExisting', { imports: [CacheConfigModule], useExisting: CacheConfig }],
    ])('forRootAsync with %s', async (_name, options) => {
      const app = await start(
        platform,
        [CacheXModule.forRootAsync(options as never)],
        [StoreController, DefaultTtlController],
      );
      await request(app.getHttpServer()).get('/').expect(200, 'Not found');
      await request(app.getHttpServer()).get('/').expect(200, 'value');
      const res = await request(app.getHttpServer()).get('/default-ttl').expect(200);
      expect(res.headers['cache-control']).toBe('max-age=42');
    });
  });

  describe('cache clean (tests/e2e/cache-clean)', () => {
    const startTimeline = () => start(platform, [CacheXModule.forRoot()], [TimelineController]);

    it('cleans the cache on a successful POST request', async () => {
      const server = (await startTimeline()).getHttpServer();
      await request(server).get('/timeline').expect(200).expect('Cache-Status', STORED);
      await request(server).get('/timeline').expect(200).expect('Cache-Status', HIT);
      await request(server).post('/posts').send({ title: 'New Post' }).expect(201);
      const res = await request(server).get('/timeline').expect(200).expect('Cache-Status', STORED);
      expect(res.body).toEqual({ timeline: ['Initial post', 'New Post'], counter: 2 });
    });

    it('does not clean the cache on a failed POST request', async () => {
      const server = (await startTimeline()).getHttpServer();
      await request(server).get('/timeline').expect(200).expect('Cache-Status', STORED);
      await request(server).get('/timeline').expect(200).expect('Cache-Status', HIT);
      await request(server).post('/posts').send({}).expect(400);
      await request(server).get('/timeline').expect(200).expect('Cache-Status', HIT);
    });
  });

  describe('multi store (tests/e2e/multi-store): two apps on one shared backend', () => {
    it("sees each other's CacheManager values", async () => {
      const backend = new MemoryBackend();
      const [a, b] = [
        await start(platform, [CacheXModule.forRoot({ backend })], [StoreController]),
        await start(platform, [CacheXModule.forRoot({ backend })], [StoreController]),
      ];
      await request(a!.getHttpServer()).get('/multi-store').expect(200, '');
      await request(b!.getHttpServer()).get('/multi-store').expect(200, 'multi-store-value');
    });

    it("sees each other's responses for one origin, and only for that origin", async () => {
      const backend = new MemoryBackend();
      const [a, b] = [
        await start(platform, [CacheXModule.forRoot({ backend })], [DefaultTtlController]),
        await start(platform, [CacheXModule.forRoot({ backend })], [DefaultTtlController]),
      ];
      const get = (app: INestApplication, host: string) =>
        request(app.getHttpServer()).get('/default-ttl').set('Host', host).expect(200);
      expect((await get(a!, 'shop.example')).headers['cache-status']).toBe(STORED);
      expect((await get(b!, 'shop.example')).headers['cache-status']).toMatch(HIT);
      expect((await get(b!, 'other.example')).headers['cache-status']).toBe(STORED);
      expect(b!.get(DefaultTtlController).counter).toBe(1);
    });
  });

  describe('what behaves differently', () => {
    const startDifferences = async () => {
      const app = await start(
        platform,
        [CacheXModule.forRoot()],
        [DefaultTtlController, DifferencesController],
      );
      return { app, server: app.getHttpServer(), runs: app.get(DifferencesController).runs };
    };

    it('answers HEAD from the GET entry and runs every POST', async () => {
      const { server, runs } = await startDifferences();
      await request(server).get('/differences/slow').expect(200);
      await request(server).head('/differences/slow').expect(200).expect('Cache-Status', HIT);
      await request(server).post('/differences/slow').expect(201);
      const post = await request(server).post('/differences/slow').expect(201);
      expect(post.headers['cache-status']).toBeUndefined();
      expect(runs).toMatchObject({ slow: 1, write: 2 });
    });

    it('stores the empty 200 of a handler that returns nothing', async () => {
      const { server, runs } = await startDifferences();
      await request(server).get('/differences/nothing').expect(200, '');
      await request(server).get('/differences/nothing').expect(200).expect('Cache-Status', HIT);
      expect(runs.nothing).toBe(1);
    });

    it('sends Cache-Control and a strong ETag, and answers If-None-Match with a 304', async () => {
      const { server } = await startDifferences();
      const first = await request(server).get('/default-ttl').expect(200);
      expect(first.headers['cache-control']).toBe('max-age=60');
      const etag = String(first.headers['etag']);
      expect(etag).toMatch(/^"/);
      await request(server).get('/default-ttl').set('If-None-Match', etag).expect(304);
    });

    it('never shares a response with a request carrying Authorization or a cookie', async () => {
      const { server } = await startDifferences();
      await request(server).get('/default-ttl').expect(200, '0');
      const withToken = await request(server)
        .get('/default-ttl')
        .set('Authorization', 'Bearer alice')
        .expect(200, '1');
      expect(withToken.headers['cache-status']).toMatch(/^cachex; fwd=bypass/);
      await request(server).get('/default-ttl').set('Cookie', 'sid=bob').expect(200, '2');
      await request(server).get('/default-ttl').expect(200, '0');
    });

    it('runs the handler once for concurrent misses', async () => {
      const { server, runs } = await startDifferences();
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => request(server).get('/differences/slow')),
      );
      for (const res of answers) expect(res.body).toEqual({ run: 1 });
      expect(runs.slow).toBe(1);
    });
  });
});

describe('CacheManager for cache-manager users (get/set/del/clear → get/set/delete/clear)', () => {
  it('stores with a ttl in seconds, deletes, and clears', async () => {
    const backend = new RecordingBackend();
    const moduleRef = await Test.createTestingModule({
      imports: [CacheXModule.forRoot({ backend })],
    }).compile();
    const app = await moduleRef.init();
    try {
      const cache = app.get(CacheManager);
      await cache.set('a', { n: 1 }, 20); // cache-manager: set('a', { n: 1 }, 20_000)
      await cache.set('b', 'two');
      expect(backend.dataTtls).toEqual([
        ['a', 20],
        ['b', undefined],
      ]);
      expect(await cache.get('a')).toEqual({ n: 1 });
      expect(await cache.delete('a')).toBe(true);
      expect(await cache.get('a')).toBeUndefined();
      expect(await cache.getOrSet('c', async () => 3, 20)).toBe(3);
      expect(await cache.clear()).toBe(2);
      expect(await cache.get('b')).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});
