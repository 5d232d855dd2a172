/**
 * One path, one entry, and bounded growth (API.md "What the app sees is what
 * is keyed", `ignoreQueryParams`, `maxVariantsPerPath`), stored on every
 * backend, on Express and Fastify.
 */
import { type INestApplication } from '@nestjs/common';
import { type CacheBackend } from 'nestjs-cachex';
import request from 'supertest';
import { describeEachBackend } from '../support/backends.js';
import { makeCacheApp, resetCacheApp, runs } from '../support/cache-app.js';

/** Spellings of `/items/2` the platform's default router sends to the same route. */
const spellings = {
  express: ['/items/2', '/Items/2', '/items/2/', '/items/%32'],
  fastify: ['/items/2', '/items/%32'],
};

describeEachBackend('Paths and variants', (backendCase, platform) => {
  let backend: CacheBackend;
  let app: INestApplication;
  const get = (path: string) => request(app.getHttpServer()).get(path);

  beforeAll(async () => {
    backend = backendCase.create({ keyPrefix: `variants-${process.pid}-${Date.now()}:` });
    app = await makeCacheApp(backend, { invalidateOnWrite: true, maxVariantsPerPath: 3 }, platform);
  });
  afterAll(() => app.close());
  beforeEach(async () => {
    await backend.clear();
    resetCacheApp();
  });

  it('stores every spelling of a path as one entry, and one write invalidates it', async () => {
    for (const path of spellings[platform]) {
      const res = await get(path).expect(200);
      expect(res.body.id).toBe('2');
    }
    expect(runs['item:2']).toBe(1);
    const last = spellings[platform].at(-1)!;
    await request(app.getHttpServer()).post(last).expect(201);
    for (const path of spellings[platform]) await get(path).expect(200);
    expect(runs['item:2']).toBe(2);
  });

  it('shares the plain entry among requests that differ only in tracking parameters', async () => {
    await get('/items/3').expect(200);
    for (const query of ['utm_source=mail&utm_medium=x', 'fbclid=abc', 'gclid=1&msclkid=2']) {
      const res = await get(`/items/3?${query}`).expect(200);
      expect(res.headers['cache-status']).toMatch(/^cachex; hit/);
    }
    expect(runs['item:3']).toBe(1);
  });

  it('stores at most maxVariantsPerPath query variants of a path', async () => {
    for (const q of ['a', 'b', 'c']) {
      const res = await get(`/items/5?q=${q}`).expect(200);
      expect(res.headers['cache-status']).toBe('cachex; fwd=miss; stored');
    }
    const beyond = await get('/items/5?q=d').expect(200);
    expect(beyond.headers['cache-status']).toBe('cachex; fwd=miss; detail=variants');
    expect(beyond.body.q).toBe('d');
    await get('/items/5?q=d').expect(200);
    expect(runs['item:5']).toBe(5);
    const stored = await get('/items/5?q=a').expect(200);
    expect(stored.headers['cache-status']).toMatch(/^cachex; hit/);
    const otherPath = await get('/items/6?q=d').expect(200);
    expect(otherPath.headers['cache-status']).toBe('cachex; fwd=miss; stored');
  });
});
