/**
 * Compressed variants (API.md "Compressed variants"): a compressible body is
 * compressed once when stored and each request gets the best coding its
 * Accept-Encoding allows, on every backend and both platforms. Bodies are
 * read raw (node:http: supertest would decompress them) and decompressed
 * here, to compare with the identity bytes. Then with the app's own
 * compression middleware (`compression`, `@fastify/compress`), early hits on
 * and off: an encoded hit is never compressed twice.
 */
import compress from '@fastify/compress';
import { Controller, Get, Header, type INestApplication, Query, Res } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import compression from 'compression';
import {
  Cache,
  type CacheBackend,
  CacheXModule,
  MemoryBackend,
  TieredBackend,
} from 'nestjs-cachex';
import { RedisBackend, RedisBus } from 'nestjs-cachex/redis';
import http, { type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import {
  backendCase,
  describeBackend,
  describeEachBackend,
  TEST_TIMEOUT_MS,
} from '../support/backends.js';
import { type Platform, platforms, startApp } from '../support/cache-app.js';

const runs: Record<string, number> = {};
/** Requests that entered Nest's routes: an early hit never does. */
let routeEntries = 0;
const count = (name: string): number => (runs[name] = (runs[name] ?? 0) + 1);

/** About 20 KB of JSON: well over `minBytes`, and compressible. */
const catalogue = (tag: string) =>
  Array.from({ length: 200 }, (_, id) => ({ id, tag, name: `Product ${id}`, price: id * 1.5 }));

/** The reply as both platforms have it. */
interface Res {
  header(name: string, value: string): void;
}

@Controller()
class CompressionController {
  @Cache(60)
  @Get('json')
  json(@Query('v') v?: string) {
    count('json');
    return catalogue(v ?? 'json');
  }

  @Cache({ ttl: 60, vary: ['Accept-Language'] })
  @Get('vary')
  vary() {
    count('vary');
    return catalogue('vary');
  }

  @Cache(60)
  @Get('small')
  small() {
    count('small');
    return { small: true };
  }

  @Cache(60)
  @Get('png')
  @Header('Content-Type', 'image/png')
  png() {
    count('png');
    return Buffer.alloc(8192, 7);
  }

  @Cache({ ttl: 60, noTransform: true })
  @Get('no-transform')
  noTransform() {
    count('no-transform');
    return catalogue('no-transform');
  }

  @Cache({ ttl: 60, private: true })
  @Get('private')
  private() {
    count('private');
    return catalogue('private');
  }

  @Cache(60)
  @Get('pre-encoded')
  preEncoded(@Res({ passthrough: true }) res: Res) {
    count('pre-encoded');
    res.header('Content-Type', 'application/json; charset=utf-8');
    res.header('Content-Encoding', 'gzip');
    return gzipSync(JSON.stringify(catalogue('pre-encoded')));
  }
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A request whose body comes back as the bytes sent. */
function raw(
  app: INestApplication,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<RawResponse> {
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return new Promise((resolve, reject) => {
    http
      .request({ host: '127.0.0.1', port, path, headers, method }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      })
      .on('error', reject)
      .end();
  });
}

/** The identity bytes of a response, decoded by its Content-Encoding. */
function decoded(res: RawResponse): Buffer {
  switch (res.headers['content-encoding']) {
    case undefined:
      return res.body;
    case 'br':
      return brotliDecompressSync(res.body);
    case 'gzip':
      return gunzipSync(res.body);
    case 'deflate':
      return inflateSync(res.body);
    default:
      throw new Error(`unexpected coding ${res.headers['content-encoding']}`);
  }
}

const varyNames = (res: RawResponse) =>
  String(res.headers['vary'] ?? '')
    .toLowerCase()
    .split(',')
    .map((name) => name.trim());

/** Every Accept-Encoding case, and the coding it is answered in (`undefined`: identity). */
const NEGOTIATIONS: Array<[string | undefined, string | undefined]> = [
  ['gzip, deflate, br', 'br'],
  ['br', 'br'],
  ['gzip', 'gzip'],
  ['gzip;q=1, br;q=0.5', 'gzip'],
  ['*', 'br'],
  ['gzip;q=0, *', 'br'],
  ['br;q=0, *', 'gzip'],
  ['br;q=0, gzip;q=0', undefined],
  ['identity', undefined],
  ['deflate', undefined],
  ['identity;q=0, *;q=0', undefined],
  [undefined, undefined],
];

async function makeApp(
  backend: CacheBackend,
  platform: Platform,
  options: { earlyHits?: boolean; middleware?: boolean } = {},
): Promise<INestApplication> {
  for (const name of Object.keys(runs)) delete runs[name];
  routeEntries = 0;
  const moduleRef = await Test.createTestingModule({
    imports: [
      CacheXModule.forRoot({
        backend,
        backendTimeoutMs: TEST_TIMEOUT_MS,
        earlyHits: options.earlyHits ?? true,
      }),
    ],
    controllers: [CompressionController],
  }).compile();
  return startApp(moduleRef, platform, {
    prepare: (app) => {
      if (!options.middleware) return;
      if (platform === 'fastify') {
        const fastify = app.getHttpAdapter().getInstance() as {
          register(plugin: unknown, options: unknown): unknown;
        };
        void fastify.register(compress, { encodings: ['br', 'gzip', 'deflate'] });
      } else {
        app.use(compression());
      }
    },
    onRouteEntry: () => routeEntries++,
  });
}

describeEachBackend('Compressed variants', (backendCase, platform) => {
  let app: INestApplication;
  let backend: CacheBackend;
  const get = (path: string, headers?: Record<string, string>) => raw(app, path, headers);

  beforeAll(async () => {
    backend = backendCase.create({ keyPrefix: `compression-${process.pid}-${Date.now()}:` });
    app = await makeApp(backend, platform);
  });
  afterAll(() => app.close());
  beforeEach(async () => {
    await backend.clear();
    for (const name of Object.keys(runs)) delete runs[name];
  });

  it('answers every Accept-Encoding case in the best coding it allows, decoding to the identity bytes', async () => {
    const identity = await get('/json');
    expect(identity.headers['cache-status']).toMatch(/fwd=miss; stored/);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(identity.body.toString())).toEqual(catalogue('json'));
    const etags = new Map<string | undefined, string>();
    for (const [acceptEncoding, coding] of NEGOTIATIONS) {
      const res = await get('/json', acceptEncoding ? { 'accept-encoding': acceptEncoding } : {});
      expect({
        acceptEncoding,
        status: res.status,
        coding: res.headers['content-encoding'],
      }).toEqual({
        acceptEncoding,
        status: 200,
        coding,
      });
      expect(res.headers['cache-status']).toMatch(/^cachex; hit/);
      expect(decoded(res).equals(identity.body)).toBe(true);
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
      expect(varyNames(res)).toContain('accept-encoding');
      expect(res.headers['content-type']).toBe(identity.headers['content-type']);
      const etag = res.headers['etag']!;
      expect(etags.get(coding) ?? etag).toBe(etag);
      etags.set(coding, etag);
    }
    // An ETag per coding (RFC 9110 §8.8.3), the identity one unchanged.
    expect(new Set(etags.values()).size).toBe(3);
    expect(etags.get(undefined)).toBe(identity.headers['etag']);
    expect(runs['json']).toBe(1);
    // Compressed, so fewer bytes on the wire.
    const br = await get('/json', { 'accept-encoding': 'br' });
    expect(br.body.length * 5).toBeLessThan(identity.body.length);
  });

  it('answers the miss itself, and requests collapsed on it, in their coding', async () => {
    const [br, gzip] = await Promise.all([
      get('/json?v=miss', { 'accept-encoding': 'br' }),
      get('/json?v=miss', { 'accept-encoding': 'gzip' }),
    ]);
    expect(br.headers['content-encoding']).toBe('br');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(decoded(br).equals(decoded(gzip))).toBe(true);
    expect(JSON.parse(decoded(br).toString())).toEqual(catalogue('miss'));
    expect(runs['json']).toBe(1);
  });

  it('matches If-None-Match within the coding: 304 for the same coding, the body for another', async () => {
    const br = await get('/json', { 'accept-encoding': 'br' });
    const gzip = await get('/json', { 'accept-encoding': 'gzip' });
    const identity = await get('/json');
    const notModified = await get('/json', {
      'accept-encoding': 'br',
      'if-none-match': br.headers['etag']!,
    });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    expect(notModified.headers['etag']).toBe(br.headers['etag']);
    expect(varyNames(notModified)).toContain('accept-encoding');
    expect(notModified.headers['cache-status']).toMatch(/^cachex; hit/);

    const otherCoding = await get('/json', {
      'accept-encoding': 'gzip',
      'if-none-match': br.headers['etag']!,
    });
    expect(otherCoding.status).toBe(200);
    expect(otherCoding.headers['content-encoding']).toBe('gzip');
    expect(otherCoding.headers['etag']).toBe(gzip.headers['etag']);
    expect(decoded(otherCoding).equals(identity.body)).toBe(true);

    expect((await get('/json', { 'if-none-match': identity.headers['etag']! })).status).toBe(304);
    const either = `${gzip.headers['etag']}, ${br.headers['etag']}`;
    expect(
      (await get('/json', { 'accept-encoding': 'gzip', 'if-none-match': either })).status,
    ).toBe(304);
    expect(runs['json']).toBe(1);
  });

  it('answers HEAD as GET, with the coding and its length, and no body', async () => {
    const br = await get('/json', { 'accept-encoding': 'br' });
    const head = await raw(app, '/json', { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-encoding']).toBe('br');
    expect(head.headers['etag']).toBe(br.headers['etag']);
    expect(head.headers['content-length']).toBe(String(br.body.length));
    expect(varyNames(head)).toContain('accept-encoding');
  });

  it('merges Accept-Encoding into the route’s Vary', async () => {
    await get('/vary', { 'accept-language': 'fr' });
    const hit = await get('/vary', { 'accept-language': 'fr', 'accept-encoding': 'gzip' });
    expect(hit.headers['cache-status']).toMatch(/^cachex; hit/);
    expect(hit.headers['content-encoding']).toBe('gzip');
    expect(varyNames(hit).sort()).toEqual(['accept-encoding', 'accept-language']);
    expect(runs['vary']).toBe(1);
  });

  it.each([
    ['a body under minBytes', '/small', {}],
    ['an incompressible type', '/png', {}],
    ['a noTransform route', '/no-transform', {}],
    ['a private entry', '/private', { authorization: 'Bearer ada' }],
  ])('never compresses %s', async (_case, path, headers: Record<string, string>) => {
    const miss = await get(path, { ...headers, 'accept-encoding': 'br, gzip' });
    const hit = await get(path, { ...headers, 'accept-encoding': 'br, gzip' });
    expect(hit.headers['cache-status']).toMatch(/^cachex; hit/);
    for (const res of [miss, hit]) {
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(varyNames(res)).not.toContain('accept-encoding');
    }
    expect(hit.body.equals(miss.body)).toBe(true);
  });

  it('keeps a body the handler encoded itself as it is, encoded once', async () => {
    const expected = JSON.stringify(catalogue('pre-encoded'));
    await get('/pre-encoded', { 'accept-encoding': 'gzip' });
    const hit = await get('/pre-encoded', { 'accept-encoding': 'br, gzip' });
    expect(hit.headers['cache-status']).toMatch(/^cachex; hit/);
    expect(hit.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(hit.body).toString()).toBe(expected);
  });
});

describeBackend(backendCase('redis')).each(platforms)(
  'Compressed variants across two tiers (memory in front of Redis), %s',
  (platform) => {
    const port = Number(process.env.CACHEX_REDIS_PORT);
    const keyPrefix = `compression-tiered-${platform}-${process.pid}-${Date.now()}:`;
    const tiered = () =>
      new TieredBackend({
        local: new MemoryBackend(),
        shared: new RedisBackend({ host: '127.0.0.1', port, keyPrefix }),
        bus: new RedisBus({ host: '127.0.0.1', port, channel: `${keyPrefix}bus` }),
      });
    // One Host for both apps, as behind a load balancer, so they build the same keys.
    const host = 'shop.test';
    let a: INestApplication;
    let b: INestApplication;

    beforeAll(async () => {
      a = await makeApp(tiered(), platform);
      b = await makeApp(tiered(), platform);
    });
    afterAll(async () => {
      await a.close();
      await b.close();
    });

    it('fills on one instance; the other answers each coding from the shared tier, then its own', async () => {
      const identity = await raw(a, '/json?v=tiered', { host });
      expect(identity.headers['cache-status']).toMatch(/fwd=miss; stored/);
      for (const [acceptEncoding, coding] of [
        ['br', 'br'],
        ['gzip', 'gzip'],
        ['br', 'br'],
        ['identity', undefined],
      ]) {
        const res = await raw(b, '/json?v=tiered', { host, 'accept-encoding': acceptEncoding! });
        expect(res.headers['cache-status']).toMatch(/^cachex; hit/);
        expect(res.headers['content-encoding']).toBe(coding);
        expect(decoded(res).equals(identity.body)).toBe(true);
      }
    });
  },
);

describe.each(platforms)('The app’s compression middleware on %s', (platform) => {
  describe.each([true, false])('early hits %s', (earlyHits) => {
    let app: INestApplication;

    beforeAll(async () => {
      app = await makeApp(new MemoryBackend(), platform, { earlyHits, middleware: true });
    });
    afterAll(() => app.close());

    it.each([
      ['br', 'br'],
      ['gzip', 'gzip'],
      ['gzip, deflate, br', 'br'],
    ])('does not compress an encoded miss or hit again (%s)', async (acceptEncoding, coding) => {
      const path = `/json?v=${encodeURIComponent(acceptEncoding)}`;
      const entriesBefore = routeEntries;
      for (const status of [/fwd=miss; stored/, /^cachex; hit/, /^cachex; hit/]) {
        const res = await raw(app, path, { 'accept-encoding': acceptEncoding });
        expect(res.headers['cache-status']).toMatch(status);
        expect(res.headers['content-encoding']).toBe(coding);
        if (res.headers['content-length'] !== undefined) {
          expect(Number(res.headers['content-length'])).toBe(res.body.length);
        }
        // Decoded once, it is the JSON itself.
        expect(JSON.parse(decoded(res).toString())).toEqual(catalogue(acceptEncoding));
      }
      // With early hits, the two hits were answered before Nest's routes.
      expect(routeEntries - entriesBefore).toBe(earlyHits ? 1 : 3);
    });

    it('still compresses what the cache leaves in identity (a coding it does not store)', async () => {
      await raw(app, '/json?v=deflate');
      const res = await raw(app, '/json?v=deflate', { 'accept-encoding': 'deflate' });
      expect(res.headers['cache-status']).toMatch(/^cachex; hit/);
      expect(res.headers['content-encoding']).toBe('deflate');
      expect(JSON.parse(decoded(res).toString())).toEqual(catalogue('deflate'));
    });
  });
});
