/**
 * The logical key over HTTP (API.md "Logical key", "What the app sees is what
 * is keyed"), on Express and Fastify: the origin the app believes, the path as
 * its router matches it, the query less ignored parameters, and no key forged
 * with separator characters.
 */
import { Controller, Get, type INestApplication, Param, Req } from '@nestjs/common';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { Request as ExpressRequest } from 'express';
import express from 'express';
import type { FastifyRequest } from 'fastify';
import {
  Cache,
  CacheXModule,
  type CacheXModuleOptions,
  defaultKeyBuilder,
  type HttpRequestLike,
  MemoryBackend,
} from 'nestjs-cachex';
import request from 'supertest';
import {
  makeCacheApp,
  type Platform,
  platforms,
  resetCacheApp,
  runs,
} from '../support/cache-app.js';

/** Every key the backend holds (`MemoryBackend.keys()` yields them one by one). */
async function keysOf(backend: MemoryBackend): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of backend.keys()) keys.push(key);
  return keys;
}

// Both platforms' requests are what a key builder takes (checked by tsc).
const builders = [
  defaultKeyBuilder satisfies (req: ExpressRequest) => string,
  defaultKeyBuilder satisfies (req: FastifyRequest) => string,
  defaultKeyBuilder satisfies (req: HttpRequestLike) => string,
];

const seen: Record<string, number> = {};
const see = (name: string): number => (seen[name] = (seen[name] ?? 0) + 1);

@Controller()
class KeyTestController {
  @Cache(60)
  @Get('where')
  where(@Req() req: { protocol: string; host: string }) {
    return { origin: `${req.protocol}://${req.host}`, run: see('where') };
  }

  @Cache(60)
  @Get('things/:id')
  thing(@Param('id') id: string) {
    return { id, run: see(`thing:${id}`) };
  }
}

interface Setup {
  /** Express `trust proxy` / Fastify `trustProxy`. */
  trustProxy?: boolean;
  /** Express settings given to the app before Nest makes its router. */
  express?: Record<string, boolean>;
  /** Express settings changed after Nest made its router (which ignores them). */
  expressLate?: Record<string, boolean>;
  fastify?: ConstructorParameters<typeof FastifyAdapter>[0];
  options?: Omit<CacheXModuleOptions, 'backend'>;
}

async function startKeyApp(platform: Platform, setup: Setup = {}): Promise<INestApplication> {
  for (const name of Object.keys(seen)) delete seen[name];
  const moduleRef = await Test.createTestingModule({
    imports: [CacheXModule.forRoot({ backend: new MemoryBackend(), ...setup.options })],
    controllers: [KeyTestController],
  }).compile();
  let app: INestApplication;
  if (platform === 'fastify') {
    const adapter = new FastifyAdapter({ trustProxy: setup.trustProxy ?? false, ...setup.fastify });
    app = moduleRef.createNestApplication(adapter, { logger: false });
  } else {
    const instance = express();
    for (const [name, value] of Object.entries(setup.express ?? {})) instance.set(name, value);
    app = moduleRef.createNestApplication(new ExpressAdapter(instance), { logger: false });
    const nest = app as NestExpressApplication;
    if (setup.trustProxy) nest.set('trust proxy', true);
    for (const [name, value] of Object.entries(setup.expressLate ?? {})) nest.set(name, value);
  }
  await app.listen(0, '127.0.0.1');
  if (platform === 'fastify') {
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  }
  return app;
}

const status = (res: request.Response) => res.headers['cache-status'] as string | undefined;

describe.each(platforms)('cache keys on %s', (platform) => {
  it('types: Express and Fastify requests fit the key builder', () => {
    expect(builders).toHaveLength(3);
  });

  describe('with the default options', () => {
    let app: INestApplication;
    let backend: MemoryBackend;
    const get = (path: string) => request(app.getHttpServer()).get(path);

    beforeAll(async () => {
      backend = new MemoryBackend();
      app = await makeCacheApp(backend, {}, platform);
    });
    afterAll(() => app.close());
    beforeEach(async () => {
      await backend.clear();
      resetCacheApp();
    });

    it('keys the origin the app sees: http, the Host header and its port', async () => {
      await get('/items/1').expect(200);
      const { port } = app.getHttpServer().address() as { port: number };
      expect(await keysOf(backend)).toEqual([`GET|||http://127.0.0.1:${port}|||/items/1|||`]);
    });

    it('does not key an X-Forwarded-Host the app does not believe', async () => {
      await get('/items/1').set('X-Forwarded-Host', 'evil.example').expect(200);
      await get('/items/1').set('X-Forwarded-Proto', 'https').expect(200);
      const hit = await get('/items/1').expect(200);
      expect(status(hit)).toMatch(/^cachex; hit/);
      expect(runs['item:1']).toBe(1);
      expect((await keysOf(backend)).join()).not.toMatch(/evil|https/);
    });

    it('keeps /items/1|||x?y and /items/1?x|||y apart', async () => {
      const forgedPath = await get('/items/1|||x?y').expect(200);
      const forgedQuery = await get('/items/1?x|||y').expect(200);
      expect(forgedPath.body.id).toBe('1|||x');
      expect(forgedQuery.body.id).toBe('1');
      expect(status(forgedQuery)).toBe('cachex; fwd=miss; stored');
      expect((await get('/items/1?x|||y').expect(200)).body.id).toBe('1');
      expect((await get('/items/1|||x?y').expect(200)).body.id).toBe('1|||x');
      expect(runs['item:1|||x']).toBe(1);
      expect(runs['item:1']).toBe(1);
      expect(await keysOf(backend)).toHaveLength(2);
    });

    it('shares the plain entry with ?utm_source=…, ?fbclid=… and the other tracking parameters', async () => {
      await get('/items/5').expect(200);
      for (const query of ['utm_source=a', 'fbclid=IwAR0x', 'gclid=1&utm_medium=m', 'msclkid=2']) {
        const res = await get(`/items/5?${query}`).expect(200);
        expect(status(res)).toMatch(/^cachex; hit/);
      }
      await get('/items/5?q=a').expect(200);
      expect(status(await get('/items/5?utm_campaign=c&q=a').expect(200))).toMatch(/hit/);
      expect(runs['item:5']).toBe(2);
    });

    it('keeps the order of the query without sortQuery', async () => {
      await get('/items/6?q=a&z=1').expect(200);
      expect(status(await get('/items/6?z=1&q=a').expect(200))).toBe('cachex; fwd=miss; stored');
      expect(runs['item:6']).toBe(2);
    });

    if (platform === 'express') {
      it('gives /items/2, /Items/2, /items/2/ and /items/%32 one entry (Express matches them alike)', async () => {
        await get('/items/2').expect(200);
        for (const spelling of ['/Items/2', '/items/2/', '/ITEMS/%32/']) {
          const res = await get(spelling).expect(200);
          expect(res.body.id).toBe('2');
          expect(status(res)).toMatch(/^cachex; hit/);
        }
        expect(runs['item:2']).toBe(1);
      });
    } else {
      it('keeps /items/2, /Items/2 and /items/2/ apart (Fastify tells them apart), /items/%32 shared', async () => {
        await get('/items/2').expect(200);
        expect(status(await get('/items/%32').expect(200))).toMatch(/^cachex; hit/);
        await get('/Items/2').expect(404);
        await get('/items/2/').expect(404);
        expect(runs['item:2']).toBe(1);
        expect(await keysOf(backend)).toHaveLength(1);
      });
    }
  });

  describe('behind a trusted proxy', () => {
    let app: INestApplication;
    const get = (path: string) => request(app.getHttpServer()).get(path);

    beforeAll(async () => {
      app = await startKeyApp(platform, { trustProxy: true });
    });
    afterAll(() => app.close());

    it('keys each forwarded origin apart, and the direct one apart from them', async () => {
      const a = await get('/where').set('X-Forwarded-Host', 'a.example').expect(200);
      const b = await get('/where').set('X-Forwarded-Host', 'b.example:8443').expect(200);
      const secure = await get('/where')
        .set('X-Forwarded-Host', 'a.example')
        .set('X-Forwarded-Proto', 'https')
        .expect(200);
      expect([a.body.origin, b.body.origin, secure.body.origin]).toEqual([
        'http://a.example',
        'http://b.example:8443',
        'https://a.example',
      ]);
      const again = await get('/where').set('X-Forwarded-Host', 'A.example').expect(200);
      expect(status(again)).toMatch(/^cachex; hit/);
      expect(again.body.origin).toBe('http://a.example');
      const direct = await get('/where').expect(200);
      expect(direct.body.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(seen['where']).toBe(4);
    });
  });

  describe('without a trusted proxy, on a route that shows the origin', () => {
    let app: INestApplication;
    const get = (path: string) => request(app.getHttpServer()).get(path);

    beforeAll(async () => {
      app = await startKeyApp(platform);
    });
    afterAll(() => app.close());

    it('never answers normal requests with a response made for a forwarded host', async () => {
      await get('/where').set('X-Forwarded-Host', 'evil.example').expect(200);
      const normal = await get('/where').expect(200);
      expect(normal.body.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(seen['where']).toBe(1);
    });
  });

  describe('with routing options', () => {
    let app: INestApplication;
    const get = (path: string) => request(app.getHttpServer()).get(path);
    afterEach(() => app.close());

    if (platform === 'express') {
      it('keeps /things/A, /things/a and /things/a/ apart with case sensitive and strict routing', async () => {
        app = await startKeyApp(platform, {
          express: { 'case sensitive routing': true, 'strict routing': true },
        });
        await get('/things/a').expect(200);
        expect(status(await get('/things/A').expect(200))).toBe('cachex; fwd=miss; stored');
        await get('/Things/a').expect(404);
        await get('/things/a/').expect(404);
        expect(status(await get('/things/%61').expect(200))).toMatch(/^cachex; hit/);
        expect([seen['thing:a'], seen['thing:A']]).toEqual([1, 1]);
      });

      it('keys by the router Nest made, not by settings changed after it', async () => {
        app = await startKeyApp(platform, {
          expressLate: { 'case sensitive routing': true, 'strict routing': true },
        });
        await get('/things/1').expect(200);
        expect(status(await get('/Things/1/').expect(200))).toMatch(/^cachex; hit/);
        expect(seen['thing:1']).toBe(1);
      });
    } else {
      it('gives //Things/1/ and /things/1 one entry when the router ignores case and slashes', async () => {
        app = await startKeyApp(platform, {
          fastify: {
            routerOptions: {
              caseSensitive: false,
              ignoreTrailingSlash: true,
              ignoreDuplicateSlashes: true,
            },
          },
        });
        await get('/things/1').expect(200);
        for (const spelling of ['/Things/1', '/things/1/', '//things//1', '/THINGS/%31/']) {
          expect(status(await get(spelling).expect(200))).toMatch(/^cachex; hit/);
        }
        expect(seen['thing:1']).toBe(1);
      });
    }
  });

  // These need the interceptor to build keys with the module's options.
  describe('with ignoreQueryParams and sortQuery', () => {
    let app: INestApplication;
    const get = (path: string) => request(app.getHttpServer()).get(path);

    beforeAll(async () => {
      app = await startKeyApp(platform, {
        options: { ignoreQueryParams: ['session_*', /^ref$/], sortQuery: true },
      });
    });
    afterAll(() => app.close());

    it('leaves out the parameters of ignoreQueryParams, and only those', async () => {
      await get('/things/7').expect(200);
      expect(status(await get('/things/7?session_id=1&ref=x').expect(200))).toMatch(/hit/);
      expect(status(await get('/things/7?utm_source=a').expect(200))).toBe(
        'cachex; fwd=miss; stored',
      );
      expect(seen['thing:7']).toBe(2);
    });

    it('shares one entry among every order of the parameters with sortQuery', async () => {
      await get('/things/8?a=1&b=2&c=3').expect(200);
      for (const query of ['c=3&b=2&a=1', 'b=2&a=1&c=3', 'b=2&session_x=y&c=3&a=1']) {
        expect(status(await get(`/things/8?${query}`).expect(200))).toMatch(/^cachex; hit/);
      }
      expect(status(await get('/things/8?a=1&a=2').expect(200))).toBe('cachex; fwd=miss; stored');
      expect(status(await get('/things/8?a=2&a=1').expect(200))).toBe('cachex; fwd=miss; stored');
      expect(seen['thing:8']).toBe(3);
    });
  });
});
