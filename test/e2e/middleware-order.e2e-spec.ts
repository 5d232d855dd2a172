/**
 * Middleware runs first (API.md): a cached answer is never sent before every
 * middleware of its route has run, whatever form registered it — `app.use`,
 * or `MiddlewareConsumer` with any `forRoutes()` form, with a global prefix
 * and with URI versioning — on Express and Fastify. The middleware here
 * refuses a request without `x-let-me-in: yes`, so a cached body sent past it
 * would be a leak; and allowed requests must still be hits.
 */
import {
  Controller,
  Get,
  type INestApplication,
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestMiddleware,
  type NestModule,
  Param,
  RequestMethod,
  VersioningType,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Cache, CacheXModule, MemoryBackend } from 'nestjs-cachex';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import request from 'supertest';
import { type Platform, platforms, startApp, type StartAppOptions } from '../support/cache-app.js';

const counts = { middleware: 0, handler: 0, routeEntries: 0 };
const reset = () =>
  Object.keys(counts).forEach((name) => (counts[name as keyof typeof counts] = 0));

/** Refuses with 401 unless `x-let-me-in: yes`; counts its runs. Node's own API: both platforms. */
function authorize(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  counts.middleware++;
  if (req.headers['x-let-me-in'] === 'yes') return next();
  res.writeHead(401, { 'content-type': 'text/plain' });
  res.end('refused');
}

@Injectable()
class AuthMiddleware implements NestMiddleware {
  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    authorize(req, res, next);
  }
}

@Controller('items')
class ItemsController {
  @Cache(60)
  @Get('free')
  free() {
    return { free: true, run: ++counts.handler };
  }

  @Cache(60)
  @Get(':id')
  item(@Param('id') id: string) {
    return { id, run: ++counts.handler };
  }
}

/** A route no middleware covers: its hits are still answered early on Express. */
@Controller('open')
class OpenController {
  @Cache(60)
  @Get()
  open() {
    return { open: true, run: ++counts.handler };
  }
}

interface Setup extends StartAppOptions {
  configure?: (consumer: MiddlewareConsumer) => void;
}

async function start(platform: Platform, setup: Setup): Promise<INestApplication> {
  @Module({
    imports: [CacheXModule.forRoot({ backend: new MemoryBackend() })],
    controllers: [ItemsController, OpenController],
  })
  class AppModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      setup.configure?.(consumer);
    }
  }
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  return startApp(moduleRef, platform, setup);
}

const auth = (consumer: MiddlewareConsumer) => consumer.apply(AuthMiddleware);
const forController = (consumer: MiddlewareConsumer) => auth(consumer).forRoutes(ItemsController);
const forGet = (consumer: MiddlewareConsumer) =>
  auth(consumer).forRoutes({ path: 'items/:id', method: RequestMethod.GET });
const prefix = (app: INestApplication) => app.setGlobalPrefix('api');
const versioning = (app: INestApplication) =>
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });

/** Each way of registering the middleware, and the path of a route it covers. */
const forms: Array<[string, Setup & { path: string }]> = [
  ['app.use after create', { prepare: (app) => app.use(authorize), path: '/items/1' }],
  ['forRoutes(controller)', { configure: forController, path: '/items/1' }],
  [
    "forRoutes('items/*path')",
    { configure: (consumer) => auth(consumer).forRoutes('items/*path'), path: '/items/1' },
  ],
  ['forRoutes({ path, method: GET })', { configure: forGet, path: '/items/1' }],
  [
    'forRoutes({ path, method: ALL })',
    {
      configure: (consumer) =>
        auth(consumer).forRoutes({ path: 'items/:id', method: RequestMethod.ALL }),
      path: '/items/1',
    },
  ],
  [
    // The wildcard layer follows the { path, method } one, past the first route layer.
    "forRoutes('items/*path') after another forRoutes({ path, method })",
    {
      configure: (consumer) => {
        consumer
          .apply((_req: unknown, _res: unknown, next: () => void) => next())
          .forRoutes({ path: 'items/:id', method: RequestMethod.GET });
        auth(consumer).forRoutes('items/*path');
      },
      path: '/items/1',
    },
  ],
  [
    'forRoutes(controller) with a global prefix',
    { prepare: prefix, configure: forController, path: '/api/items/1' },
  ],
  [
    "forRoutes('items/*path') with a global prefix",
    {
      prepare: prefix,
      configure: (consumer) => auth(consumer).forRoutes('items/*path'),
      path: '/api/items/1',
    },
  ],
  [
    'forRoutes(controller) with URI versioning',
    { prepare: versioning, configure: forController, path: '/v1/items/1' },
  ],
  [
    'forRoutes({ path, method: GET }) with URI versioning',
    { prepare: versioning, configure: forGet, path: '/v1/items/1' },
  ],
];

describe.each(platforms)('Middleware runs before any cached answer, %s', (platform) => {
  let app: INestApplication | undefined;
  beforeEach(reset);
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it.each(forms)(
    '%s: refuses without the header once cached, and hits with it',
    async (_name, setup) => {
      app = await start(platform, setup);
      const server = app.getHttpServer();
      const allowed = () => request(server).get(setup.path).set('x-let-me-in', 'yes');

      const miss = await allowed().expect(200);
      expect(miss.headers['cache-status']).toBe('cachex; fwd=miss; stored');
      for (let i = 0; i < 3; i++) {
        const refused = await request(server).get(setup.path).expect(401);
        expect(refused.text).toBe('refused');
        const hit = await allowed().expect(200);
        expect(hit.headers['cache-status']).toMatch(/^cachex; hit/);
        expect(hit.text).toBe(miss.text);
      }
      // HEAD is learned apart from GET: once allowed, a refused one is still refused.
      await request(server).head(setup.path).set('x-let-me-in', 'yes').expect(200);
      await request(server).head(setup.path).expect(401);
      expect(counts.middleware).toBe(9);
      expect(counts.handler).toBe(1);
    },
  );

  it('skips the middleware on a route it excludes, and runs it on the others', async () => {
    app = await start(platform, {
      configure: (consumer) =>
        auth(consumer)
          .exclude({ path: 'items/free', method: RequestMethod.GET })
          .forRoutes(ItemsController),
    });
    const get = (path: string) => request(app!.getHttpServer()).get(path);
    await get('/items/1').set('x-let-me-in', 'yes').expect(200);
    await get('/items/1').expect(401);
    expect((await get('/items/1').set('x-let-me-in', 'yes').expect(200)).headers).toMatchObject({
      'cache-status': expect.stringMatching(/^cachex; hit/),
    });
    expect(counts.middleware).toBe(3);
    await get('/items/free').expect(200);
    const free = await get('/items/free').expect(200);
    expect(free.headers['cache-status']).toMatch(/^cachex; hit/);
    expect(counts.middleware).toBe(3);
    expect(counts.handler).toBe(2);
  });
});

describe('Early hits beside route-bound middleware, express', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await start('express', {
      configure: forController,
      onRouteEntry: () => counts.routeEntries++,
    });
  });
  afterAll(() => app.close());
  beforeEach(reset);

  it('still answers a route the middleware does not cover before the router', async () => {
    const get = () => request(app.getHttpServer()).get('/open');
    await get().expect(200);
    expect(counts.routeEntries).toBe(1);
    for (let i = 0; i < 3; i++) {
      expect((await get().expect(200)).headers['cache-status']).toMatch(/^cachex; hit/);
    }
    expect(counts.routeEntries).toBe(1);
    expect(counts.handler).toBe(1);
    expect(counts.middleware).toBe(0);
  });

  it('sends every request of a covered route through its middleware and the router', async () => {
    const get = () => request(app.getHttpServer()).get('/items/2').set('x-let-me-in', 'yes');
    await get().expect(200);
    const entries = counts.routeEntries;
    for (let i = 0; i < 3; i++) {
      expect((await get().expect(200)).headers['cache-status']).toMatch(/^cachex; hit/);
    }
    expect(counts.routeEntries).toBe(4 * entries);
    expect(counts.middleware).toBe(4);
    expect(counts.handler).toBe(1);
  });
});
