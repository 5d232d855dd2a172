/**
 * What is Fastify's own (API.md "Platforms"): a cached route sends the bytes
 * and content type the same route sends uncached — its response schema
 * (fast-json-stringify) strips what it strips, strings are text/plain — on
 * the miss and on the hit, on every backend.
 */
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import compress from '@fastify/compress';
import { Cache, type CacheBackend, CacheXModule, MemoryBackend } from 'nestjs-cachex';
import http, { type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import { backendCases, describeBackend, TEST_TIMEOUT_MS } from '../support/backends.js';
import { startApp } from '../support/cache-app.js';

const user = { id: 7, name: 'ada', password: 'secret-hash' };
const userSchema = {
  response: {
    200: {
      type: 'object',
      properties: { id: { type: 'number' }, name: { type: 'string' } },
    },
  },
};

@Controller()
class FastifyController {
  @RouteSchema(userSchema)
  @Get('uncached-user')
  uncachedUser() {
    return user;
  }

  @Cache(60)
  @RouteSchema(userSchema)
  @Get('user')
  cachedUser() {
    return user;
  }

  @Get('uncached-text')
  uncachedText() {
    return '<script>alert(1)</script>';
  }

  @Cache(60)
  @Get('text')
  text() {
    return '<script>alert(1)</script>';
  }

  @Cache(60)
  @Get('big')
  big() {
    return { items: Array.from({ length: 2000 }, (_, i) => ({ i, name: `item ${i}` })) };
  }

  @Get('uncached-number')
  uncachedNumber() {
    return 42;
  }

  @Cache(60)
  @Get('number')
  num() {
    return 42;
  }
}

for (const backendCase of backendCases) {
  describeBackend(backendCase)(`Fastify's own serialisation on ${backendCase.name}`, () => {
    let backend: CacheBackend;
    let app: INestApplication;
    const get = (path: string) => request(app.getHttpServer()).get(path);

    beforeAll(async () => {
      backend = backendCase.create({ keyPrefix: `fastify-${process.pid}-${Date.now()}:` });
      const moduleRef = await Test.createTestingModule({
        imports: [CacheXModule.forRoot({ backend, backendTimeoutMs: TEST_TIMEOUT_MS })],
        controllers: [FastifyController],
      }).compile();
      app = await startApp(moduleRef, 'fastify');
    });
    afterAll(() => app.close());
    beforeEach(() => backend.clear());

    it.each([
      ['a response schema strips fields', '/uncached-user', '/user'],
      ['a string is text/plain', '/uncached-text', '/text'],
      ['a number is JSON', '/uncached-number', '/number'],
    ])('sends what the uncached route sends: %s', async (_what, uncachedPath, cachedPath) => {
      const uncached = await get(uncachedPath).expect(200);
      const miss = await get(cachedPath).expect(200);
      const hit = await get(cachedPath).expect(200);
      expect(miss.headers['cache-status']).toBe('cachex; fwd=miss; stored');
      expect(hit.headers['cache-status']).toMatch(/^cachex; hit/);
      for (const res of [miss, hit]) {
        expect(res.text).toBe(uncached.text);
        expect(res.headers['content-type']).toBe(uncached.headers['content-type']);
        expect(res.headers['content-length']).toBe(String(Buffer.byteLength(uncached.text)));
      }
    });

    it('never sends a field the schema strips, on a miss or a hit', async () => {
      for (let i = 0; i < 2; i++) {
        const res = await get('/user').expect(200);
        expect(res.body).toEqual({ id: 7, name: 'ada' });
        expect(res.text).not.toContain('secret-hash');
      }
    });

    it('answers HEAD from the entry with its length and no body', async () => {
      await get('/user').expect(200);
      const head = await request(app.getHttpServer()).head('/user').expect(200);
      expect(head.headers['cache-status']).toMatch(/^cachex; hit/);
      expect(head.headers['content-length']).toBe(String('{"id":7,"name":"ada"}'.length));
      expect(head.text).toBeUndefined();
    });
  });
}

describe('Fastify with @fastify/compress', () => {
  let app: INestApplication;
  const get = (path: string) => rawGet(app, path, { 'accept-encoding': 'gzip' });

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CacheXModule.forRoot({ backend: new MemoryBackend() })],
      controllers: [FastifyController],
    }).compile();
    app = await startApp(moduleRef, 'fastify', {
      prepare: (app) => {
        const fastify = app.getHttpAdapter().getInstance() as {
          register(plugin: unknown, options: unknown): unknown;
        };
        void fastify.register(compress, { encodings: ['gzip'] });
      },
    });
  });
  afterAll(() => app.close());

  it('compresses a miss and an early or routed hit once, with a length that fits', async () => {
    const expected = JSON.stringify(new FastifyController().big());
    for (const status of ['miss', 'hit', 'hit']) {
      const res = await get('/big');
      expect(res.status).toBe(200);
      expect(res.headers['cache-status']).toMatch(
        status === 'miss' ? /fwd=miss; stored/ : /^cachex; hit/,
      );
      expect(res.headers['content-encoding']).toBe('gzip');
      const body = res.body;
      if (res.headers['content-length'] !== undefined) {
        expect(Number(res.headers['content-length'])).toBe(body.length);
      }
      // Decompressed once, it is the JSON itself: not compressed twice.
      expect(gunzipSync(body).toString()).toBe(expected);
    }
  });

  it('sends identity to a client that accepts no encoding', async () => {
    await get('/big');
    const plain = await request(app.getHttpServer())
      .get('/big')
      .set('Accept-Encoding', 'identity')
      .expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-status']).toMatch(/^cachex; hit/);
    expect(plain.body.items).toHaveLength(2000);
  });
});

/** A GET whose body comes back as the raw bytes sent (supertest would decompress them). */
function rawGet(
  app: INestApplication,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      })
      .on('error', reject);
  });
}
