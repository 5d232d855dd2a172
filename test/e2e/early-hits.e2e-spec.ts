/**
 * Early hits: fresh hits of guard-free `@Cache()` routes are answered before
 * Nest's pipeline, on every backend, on Express and Fastify. Proved by
 * counting entries into the routes Nest registered (Express's route layers,
 * Fastify's route handlers); and every rule that keeps it safe is proved
 * beside it: guards and interceptors run on every hit of their routes,
 * middleware runs on every request, a credential goes through Nest, and a
 * request reads the backend once.
 */
import {
  type CallHandler,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
  type INestApplication,
  type MiddlewareConsumer,
  Module,
  type NestInterceptor,
  type NestModule,
  Param,
  UseGuards,
  UseInterceptors,
  VersioningType,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  Cache,
  type CacheBackend,
  CacheXModule,
  type CacheXModuleOptions,
  MemoryBackend,
} from 'nestjs-cachex';
import request from 'supertest';
import { describeEachBackend, TEST_TIMEOUT_MS } from '../support/backends.js';
import { type Platform, platforms, startApp } from '../support/cache-app.js';
import { type CallCounter, countCalls } from '../support/counting-backend.js';

const counts = { handler: 0, guard: 0, interceptor: 0, routeEntries: 0 };
const reset = () =>
  Object.keys(counts).forEach((name) => (counts[name as keyof typeof counts] = 0));

interface HeaderRequest {
  headers: Record<string, string | undefined>;
}

@Injectable()
class CountingGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    counts.guard++;
    return context.switchToHttp().getRequest<HeaderRequest>().headers['x-allow'] !== 'no';
  }
}

@Injectable()
class CountingInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler) {
    counts.interceptor++;
    return next.handle();
  }
}

@Controller()
class OpenController {
  @Cache(60)
  @Get('open')
  open() {
    return { route: 'open', run: ++counts.handler };
  }

  @Cache(60)
  @Get('open/:id')
  openId(@Param('id') id: string) {
    return { id, run: ++counts.handler };
  }

  @Cache({ ttl: 60, vary: ['accept-language'] })
  @Get('varied')
  varied() {
    return { run: ++counts.handler };
  }

  @Cache(60)
  @UseGuards(CountingGuard)
  @Get('guarded')
  guarded() {
    return { run: ++counts.handler };
  }

  @Cache(60)
  @UseInterceptors(CountingInterceptor)
  @Get('intercepted')
  intercepted() {
    return { run: ++counts.handler };
  }

  @Cache({ ttl: 60, key: () => 'early-hits-custom-key' })
  @Get('custom-key')
  customKey() {
    return { run: ++counts.handler };
  }
}

@UseGuards(CountingGuard)
@Controller('locked')
class LockedController {
  @Cache(60)
  @Get()
  locked() {
    return { run: ++counts.handler };
  }
}

async function startEarlyApp(
  backend: CacheBackend,
  options: Omit<CacheXModuleOptions, 'backend'> = {},
  setup: {
    globalGuard?: boolean;
    globalInterceptor?: boolean;
    headerVersioning?: boolean;
    noModuleMiddleware?: boolean;
  } = {},
  platform: Platform = 'express',
): Promise<INestApplication> {
  @Module({
    imports: [CacheXModule.forRoot({ backend, backendTimeoutMs: TEST_TIMEOUT_MS, ...options })],
    controllers: [OpenController, LockedController],
    providers: setup.globalGuard ? [{ provide: APP_GUARD, useClass: CountingGuard }] : [],
  })
  class EarlyHitsModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      if (setup.noModuleMiddleware) return;
      consumer
        .apply(
          (_req: unknown, res: { setHeader(n: string, v: string): void }, next: () => void) => {
            res.setHeader('x-module-middleware', 'ran');
            next();
          },
        )
        .forRoutes('*path');
    }
  }
  const moduleRef = await Test.createTestingModule({ imports: [EarlyHitsModule] }).compile();
  return startApp(moduleRef, platform, {
    prepare: (app) => {
      app.use((_req: unknown, res: { setHeader(n: string, v: string): void }, next: () => void) => {
        res.setHeader('x-app-middleware', 'ran');
        next();
      });
      if (setup.globalInterceptor) app.useGlobalInterceptors(new CountingInterceptor());
      if (setup.headerVersioning) {
        app.enableVersioning({ type: VersioningType.HEADER, header: 'x-v' });
      }
    },
    onRouteEntry: () => counts.routeEntries++,
  });
}

describeEachBackend('Early hits', (backendCase, platform) => {
  let app: INestApplication;
  let backend: CacheBackend;
  /** Every read of the backend. */
  let reads: CallCounter;
  const get = (path: string) => request(app.getHttpServer()).get(path);

  beforeAll(async () => {
    backend = backendCase.create({ keyPrefix: `early-${process.pid}-${Date.now()}:` });
    reads = countCalls(backend, 'get');
    app = await startEarlyApp(backend, {}, {}, platform);
  });
  afterAll(() => app.close());
  beforeEach(async () => {
    await backend.clear();
    reset();
    reads.count = 0;
  });

  it('answers hits of a guard-free route without entering the router, middleware included', async () => {
    const miss = await get('/open').expect(200);
    expect(miss.headers['cache-status']).toBe('cachex; fwd=miss; stored');
    expect(counts.routeEntries).toBe(1);
    for (let i = 0; i < 3; i++) {
      const hit = await get('/open').expect(200);
      expect(hit.text).toBe(miss.text);
      expect(hit.headers['cache-status']).toMatch(/^cachex; hit; ttl=(59|60)$/);
      expect(hit.headers['content-type']).toBe(miss.headers['content-type']);
      expect(hit.headers['content-length']).toBe(String(Buffer.byteLength(miss.text)));
      expect(hit.headers['etag']).toBe(miss.headers['etag']);
      expect(hit.headers['cache-control']).toBe('max-age=60');
      expect(hit.headers['age']).toMatch(/^\d+$/);
      expect(hit.headers['x-app-middleware']).toBe('ran');
      expect(hit.headers['x-module-middleware']).toBe('ran');
    }
    expect(counts.routeEntries).toBe(1);
    expect(counts.handler).toBe(1);
  });

  it('answers If-None-Match with a 304 and HEAD without a body, early too', async () => {
    const miss = await get('/open').expect(200);
    const notModified = await get('/open').set('If-None-Match', miss.headers['etag']!).expect(304);
    expect(notModified.text).toBe('');
    expect(notModified.headers['etag']).toBe(miss.headers['etag']);
    expect(notModified.headers['cache-status']).toMatch(/^cachex; hit/);
    // HEAD is a route of its own to Express: learned on its first request.
    await request(app.getHttpServer()).head('/open').expect(200);
    const head = await request(app.getHttpServer()).head('/open').expect(200);
    expect(head.text).toBeUndefined();
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(miss.text)));
    expect(head.headers['cache-status']).toMatch(/^cachex; hit/);
    expect(counts.routeEntries).toBe(2); // the GET miss and the first HEAD
    expect(counts.handler).toBe(1);
  });

  // Express's body parsers; Fastify parses no body on GET.
  (platform === 'express' ? it : it.skip)(
    'leaves a request with a body to the body parsers, which refuse a malformed one',
    async () => {
      await get('/open').expect(200);
      const json = (body: string) =>
        get('/open').set('Content-Type', 'application/json').send(body);
      await json('{not json').expect(400);
      expect(counts.routeEntries).toBe(1);
      const withBody = await json('{}').expect(200);
      expect(withBody.headers['cache-status']).toMatch(/^cachex; hit/);
      expect(counts.handler).toBe(1);
    },
  );

  it('keeps path parameters and Vary apart', async () => {
    expect((await get('/open/1').expect(200)).body).toEqual({ id: '1', run: 1 });
    expect((await get('/open/2').expect(200)).body).toEqual({ id: '2', run: 2 });
    expect((await get('/open/1').expect(200)).body).toEqual({ id: '1', run: 1 });
    expect((await get('/open/2').expect(200)).body).toEqual({ id: '2', run: 2 });
    const english = await get('/varied').set('Accept-Language', 'en').expect(200);
    const polish = await get('/varied').set('Accept-Language', 'pl').expect(200);
    expect(polish.body.run).not.toBe(english.body.run);
    expect((await get('/varied').set('Accept-Language', 'en').expect(200)).body).toEqual(
      english.body,
    );
    expect((await get('/varied').set('Accept-Language', 'pl').expect(200)).body).toEqual(
      polish.body,
    );
    expect(counts.routeEntries).toBe(4); // one miss per path and per language
  });

  it('runs a method guard on every hit, and refuses with it', async () => {
    await get('/guarded').expect(200);
    for (let i = 0; i < 3; i++) {
      expect((await get('/guarded').expect(200)).headers['cache-status']).toMatch(/hit/);
    }
    await get('/guarded').set('x-allow', 'no').expect(403);
    expect(counts.guard).toBe(5);
    expect(counts.routeEntries).toBe(5);
    expect(counts.handler).toBe(1);
  });

  it('runs a controller guard on every hit, and refuses with it', async () => {
    await get('/locked').expect(200);
    await get('/locked').expect(200);
    await get('/locked').set('x-allow', 'no').expect(403);
    expect(counts.guard).toBe(3);
    expect(counts.routeEntries).toBe(3);
    expect(counts.handler).toBe(1);
  });

  it('leaves a route with another interceptor to Nest', async () => {
    for (let i = 0; i < 3; i++) await get('/intercepted').expect(200);
    expect(counts.routeEntries).toBe(3);
    // Inside the global cache interceptor, it runs on the miss only, as without early hits.
    expect(counts.interceptor).toBe(1);
    expect(counts.handler).toBe(1);
  });

  it('sends a request with a credential through Nest, where it bypasses a shared entry', async () => {
    await get('/open').expect(200);
    const withCredential = await get('/open').set('Authorization', 'Bearer x').expect(200);
    expect(withCredential.headers['cache-status']).toBe('cachex; fwd=bypass; detail=authorization');
    expect(counts.routeEntries).toBe(2);
    expect(counts.handler).toBe(2);
  });

  it('leaves a route with its own key to Nest', async () => {
    await get('/custom-key').expect(200);
    const hit = await get('/custom-key').expect(200);
    expect(hit.headers['cache-status']).toMatch(/hit/);
    expect(counts.routeEntries).toBe(2);
    expect(counts.handler).toBe(1);
  });

  it('reads the backend once per hit, and a miss no more often than the first miss', async () => {
    await get('/open').expect(200);
    const firstMiss = reads.count;
    await get('/open').expect(200);
    expect(reads.count).toBe(firstMiss + 1);
    await backend.clearPath('/open');
    // This miss starts with an early read, which the interceptor takes over.
    const refilled = await get('/open').expect(200);
    expect(refilled.headers['cache-status']).toBe('cachex; fwd=miss; stored');
    expect(reads.count).toBe(2 * firstMiss + 1);
    expect(counts.handler).toBe(2);
    expect(counts.routeEntries).toBe(2);
  });
});

describe('Early hits before the body parsers', () => {
  let app: INestApplication;
  beforeAll(async () => {
    // No module middleware: only Nest's body parsers stand between the early layer and the routes.
    app = await startEarlyApp(new MemoryBackend(), {}, { noModuleMiddleware: true });
  });
  afterAll(() => app.close());
  beforeEach(reset);

  it('pass a request without a body over them, and leave one with a body to them', async () => {
    const get = () => request(app.getHttpServer()).get('/open');
    await get().expect(200);
    await get().expect(200);
    expect(counts.routeEntries).toBe(1);
    await get().set('Content-Type', 'application/json').send('{not json').expect(400);
    const withBody = await get().set('Content-Type', 'application/json').send('{}').expect(200);
    expect(withBody.headers['cache-status']).toMatch(/^cachex; hit/);
    expect(counts.routeEntries).toBe(2);
    expect(counts.handler).toBe(1);
  });
});

describe.each(platforms)('Early hits are off, %s', (platform) => {
  let app: INestApplication | undefined;
  afterEach(() => app?.close());
  beforeEach(reset);

  const expectEveryHitRouted = async () => {
    for (let i = 0; i < 3; i++) await request(app!.getHttpServer()).get('/open').expect(200);
    expect(counts.handler).toBe(1);
    expect(counts.routeEntries).toBe(3);
  };

  it('with earlyHits: false', async () => {
    app = await startEarlyApp(new MemoryBackend(), { earlyHits: false }, {}, platform);
    await expectEveryHitRouted();
  });

  it('with a global guard, which then runs on every hit', async () => {
    app = await startEarlyApp(new MemoryBackend(), {}, { globalGuard: true }, platform);
    await expectEveryHitRouted();
    expect(counts.guard).toBe(3);
  });

  it('with a global interceptor', async () => {
    app = await startEarlyApp(new MemoryBackend(), {}, { globalInterceptor: true }, platform);
    await expectEveryHitRouted();
  });

  it('with header versioning, where a route is chosen by more than its path', async () => {
    app = await startEarlyApp(new MemoryBackend(), {}, { headerVersioning: true }, platform);
    await expectEveryHitRouted();
  });
});
