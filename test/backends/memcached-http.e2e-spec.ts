/**
 * A Nest app caching through MemcachedBackend, over HTTP: a 1 MB body and a
 * binary body are hits byte for byte; a body over memcached's item size limit
 * is answered by the handler every time (not cached, never a 5xx), on both
 * platforms (API.md "Platforms").
 * Failures over HTTP are in memcached-faults.e2e-spec.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Controller, Get, type INestApplication, Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { jest } from '@jest/globals';
import { Cache, CacheXModule } from 'nestjs-cachex';
import request from 'supertest';
import { backendCase, describeBackend, TEST_TIMEOUT_MS } from '../support/backends.js';
import { platforms, startApp } from '../support/cache-app.js';

const memcached = backendCase('memcached');
const runs: Record<string, number> = {};
const count = (name: string) => (runs[name] = (runs[name] ?? 0) + 1);
const binary = randomBytes(256 * 1024);

@Controller()
class BodiesController {
  /** 1 MB (decimal) of JSON: under memcached's 1 MiB item limit with the entry's metadata. */
  @Cache(60)
  @Get('one-mb')
  oneMegabyte() {
    count('one-mb');
    return { data: 'x'.repeat(1_000_000 - 11) };
  }

  @Cache(60)
  @Get('too-large')
  tooLarge() {
    count('too-large');
    return { data: 'x'.repeat(1024 * 1024 + 1) };
  }

  @Cache(60)
  @Get('binary')
  binary() {
    count('binary');
    return binary;
  }
}

const collect = (res: request.Response, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describeBackend(memcached).each(platforms)(
  'HTTP caching on MemcachedBackend: bodies, %s',
  (platform) => {
    let app: INestApplication;
    const get = (path: string) => request(app.getHttpServer()).get(path);

    beforeAll(async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          CacheXModule.forRoot({
            backend: memcached.create({ keyPrefix: `mc-http-${randomUUID()}:` }),
            // A megabyte each way on a busy machine: the generous bound, not the 1 s default.
            backendTimeoutMs: TEST_TIMEOUT_MS,
          }),
        ],
        controllers: [BodiesController],
      }).compile();
      app = await startApp(moduleRef, platform);
    });
    afterAll(() => app.close());
    beforeEach(() => {
      for (const name of Object.keys(runs)) delete runs[name];
    });

    it('caches a 1 MB body and serves it byte for byte', async () => {
      const first = await get('/one-mb').expect(200);
      const hit = await get('/one-mb').expect(200);
      expect(hit.headers['cache-status']).toMatch(/hit/);
      expect(hit.text).toBe(first.text);
      expect(runs['one-mb']).toBe(1);
    });

    it('caches a binary body byte for byte', async () => {
      await get('/binary').expect(200);
      const hit = await get('/binary').buffer(true).parse(collect).expect(200);
      expect(hit.headers['cache-status']).toMatch(/hit/);
      expect(Buffer.compare(hit.body as Buffer, binary)).toBe(0);
      expect(runs['binary']).toBe(1);
    });

    it('answers a body over the item size limit from the handler every time', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        const first = await get('/too-large').expect(200);
        const second = await get('/too-large').expect(200);
        expect(second.headers['cache-status']).not.toMatch(/hit/);
        expect(second.text).toBe(first.text);
        expect(runs['too-large']).toBe(2);
        expect(String(logged.mock.calls[0]?.[0])).toMatch(/not caching a response of \/too-large/);
      } finally {
        logged.mockRestore();
      }
    });
  },
);
