/**
 * A refill whose bytes are unchanged keeps the entry's validators, so a
 * client or proxy revalidating with If-Modified-Since alone still gets a 304
 * (issue: validators). After a hard purge (the entry is gone) and after a
 * soft purge read by another instance (the entry is in hand), on every
 * backend, on Express and Fastify; changed bytes are dated anew. The two
 * instances share one fake clock, moved a second between fill and refill.
 */
import { type INestApplication } from '@nestjs/common';
import { type CacheBackend } from 'nestjs-cachex';
import request from 'supertest';
import { describeEachBackend } from '../support/backends.js';
import { makeCacheApp, resetCacheApp, runs } from '../support/cache-app.js';
import { fakeClock } from '../support/fake-clock.js';

describeEachBackend('Validators across refills', (backendCase, platform) => {
  let backend: CacheBackend;
  const apps: INestApplication[] = [];
  /** One time for both instances; a refill comes a second later, so a new date would show. */
  const clock = fakeClock();
  const get = (app: INestApplication, path: string) =>
    request(app.getHttpServer()).get(path).set('Host', 'shop.example');

  beforeAll(async () => {
    backend = backendCase.create({ keyPrefix: `validators-${process.pid}-${Date.now()}:` });
    // Two instances on one backend, as behind a load balancer.
    apps.push(await makeCacheApp(backend, { clock }, platform));
    apps.push(await makeCacheApp(backend, { clock }, platform));
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
  });
  beforeEach(async () => {
    await backend.clear();
    resetCacheApp();
  });

  it('keeps Last-Modified and ETag when a hard purge is refilled with the same bytes', async () => {
    const [app] = apps as [INestApplication];
    // A text route: its bytes do not depend on how often it ran.
    const first = await get(app, '/text').expect(200);
    clock.advance(1000);
    await backend.clearPath('/text');
    const refill = await get(app, '/text').expect(200);
    expect(refill.headers['cache-status']).toBe('cachex; fwd=miss; stored');
    expect(refill.headers['last-modified']).toBe(first.headers['last-modified']);
    expect(refill.headers['etag']).toBe(first.headers['etag']);
    await get(app, '/text').set('If-Modified-Since', first.headers['last-modified']!).expect(304);
    expect(runs['text']).toBe(2);
  });

  it('keeps them when another instance refills a soft-purged entry with the same bytes', async () => {
    const [a, b] = apps as [INestApplication, INestApplication];
    const first = await get(a, '/text').expect(200);
    clock.advance(1000);
    await backend.clearPath('/text', { soft: true });
    const refill = await get(b, '/text').expect(200);
    expect(refill.headers['cache-status']).toBe('cachex; fwd=miss; stored');
    expect(refill.headers['last-modified']).toBe(first.headers['last-modified']);
    expect(runs['text']).toBe(2);
  });

  it('dates a refill whose bytes changed anew', async () => {
    const [app] = apps as [INestApplication];
    const first = await get(app, '/items/1').expect(200);
    clock.advance(1000);
    await backend.clearPath('/items/1');
    // The body carries its run count, so the refill's bytes differ.
    const refill = await get(app, '/items/1').expect(200);
    expect(refill.headers['etag']).not.toBe(first.headers['etag']);
    expect(Date.parse(refill.headers['last-modified']!)).toBe(
      Date.parse(first.headers['last-modified']!) + 1000,
    );
  });
});
