/**
 * CacheXMetrics over HTTP, on both platforms: every outcome counted exactly
 * once per request under its route template, backend calls by result, the
 * backend's entries and bytes; and the `cachex:*` tracing channels.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { type INestApplication } from '@nestjs/common';
import {
  type BackendCallContext,
  CACHEX_CHANNELS,
  type CacheLookupContext,
  type CacheOutcome,
  CacheXMetrics,
  MemoryBackend,
  type RouteMetrics,
} from 'nestjs-cachex';
import request from 'supertest';
import { flaky, makeCacheApp, platforms } from '../support/cache-app.js';
import { fakeClock } from '../support/fake-clock.js';
import { FaultyBackend } from '../support/faulty-backend.js';
import { eventually } from '../support/time.js';

/** The counts of one route and method, outcomes left at zero omitted. */
async function countsOf(
  app: INestApplication,
  route: string,
  method = 'GET',
): Promise<Partial<Record<CacheOutcome, number>>> {
  const { routes } = await app.get(CacheXMetrics).snapshot();
  const row: RouteMetrics | undefined = routes.find(
    (r) => r.route === route && r.method === method,
  );
  return Object.fromEntries(Object.entries(row?.outcomes ?? {}).filter(([, n]) => n > 0));
}

describe.each(platforms)('CacheXMetrics on %s', (platform) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('counts stored, hit and not-modified under the route template, never the URL', async () => {
    app = await makeCacheApp(new MemoryBackend(), {}, platform);
    const http = () => request(app!.getHttpServer());
    const first = await http().get('/items/1').expect(200);
    await http().get('/items/1').expect(200);
    await http().get('/items/1').set('If-None-Match', first.headers['etag']).expect(304);
    await http().get('/items/2?q=x').expect(200);
    expect(await countsOf(app, '/items/:id')).toEqual({ stored: 2, hit: 1, 'not-modified': 1 });
    const { routes } = await app.get(CacheXMetrics).snapshot();
    expect(routes.map((r) => r.route)).toEqual(['/items/:id']);
    expect(routes[0]!.total).toBe(4);
  });

  it('counts a HEAD apart from a GET', async () => {
    app = await makeCacheApp(new MemoryBackend(), {}, platform);
    await request(app.getHttpServer()).get('/items/1').expect(200);
    await request(app.getHttpServer()).head('/items/1').expect(200);
    expect(await countsOf(app, '/items/:id', 'GET')).toEqual({ stored: 1 });
    expect(Object.values(await countsOf(app, '/items/:id', 'HEAD'))).toEqual([1]);
  });

  it('counts bypasses by reason: a credential, noStore, noCache', async () => {
    app = await makeCacheApp(new MemoryBackend(), {}, platform);
    const http = () => request(app!.getHttpServer());
    await http().get('/items/1').set('Authorization', 'Bearer x').expect(200);
    await http().get('/items/1').set('Cookie', 'sid=1').expect(200);
    await http().get('/no-store').expect(200);
    await http().get('/no-cache').expect(200);
    await http().get('/no-cache').expect(200);
    const { routes } = await app.get(CacheXMetrics).snapshot();
    const row = (route: string) => routes.find((r) => r.route === route)!;
    expect(row('/items/:id').outcomes.bypass).toBe(2);
    expect(row('/items/:id').bypassReasons).toEqual({ authorization: 1, cookie: 1 });
    expect(row('/no-store').bypassReasons).toEqual({ 'no-store': 1 });
    expect(await countsOf(app, '/no-cache')).toEqual({ bypass: 2 });
    expect(row('/no-cache').bypassReasons).toEqual({ 'no-cache': 2 });
  });

  it('counts a response it may not store as a miss', async () => {
    app = await makeCacheApp(new MemoryBackend(), {}, platform);
    await request(app.getHttpServer()).get('/status-203-not-stored').expect(203);
    await request(app.getHttpServer()).get('/not-found').expect(404);
    expect(await countsOf(app, '/status-203-not-stored')).toEqual({ miss: 1 });
    expect(await countsOf(app, '/not-found')).toEqual({ miss: 1 });
  });

  it('counts stale answers and stale-if-error, moving a fake clock', async () => {
    const clock = fakeClock();
    app = await makeCacheApp(new MemoryBackend(), { clock }, platform);
    const http = () => request(app!.getHttpServer());
    await http().get('/swr').expect(200);
    await http().get('/flaky').expect(200);
    clock.advance(1500);
    await http().get('/swr').expect(200);
    flaky.mode = 'throw';
    await http().get('/flaky').expect(200);
    expect(await countsOf(app, '/swr')).toEqual({ stored: 1, stale: 1 });
    expect(await countsOf(app, '/flaky')).toEqual({ stored: 1, 'stale-if-error': 1 });
  });

  it('counts requests answered by another request’s fill as collapsed', async () => {
    app = await makeCacheApp(new MemoryBackend(), {}, platform);
    await Promise.all([1, 2, 3].map(() => request(app!.getHttpServer()).get('/slow').expect(200)));
    expect(await countsOf(app, '/slow')).toEqual({ stored: 1, collapsed: 2 });
  });

  it('counts backend-error when the backend fails, and backend calls by result', async () => {
    const backend = new FaultyBackend();
    app = await makeCacheApp(backend, { backendTimeoutMs: 100 }, platform);
    const http = () => request(app!.getHttpServer());
    await http().get('/items/1').expect(200);
    backend.mode = 'error';
    await http().get('/items/2').expect(200);
    backend.mode = 'hang';
    await http().get('/items/3').expect(200);
    expect(await countsOf(app, '/items/:id')).toEqual({ stored: 1, 'backend-error': 2 });
    backend.mode = 'ok';
    const { backend: stats } = await app.get(CacheXMetrics).snapshot();
    expect(stats.name).toBe('FaultyBackend');
    const get = stats.calls.find((c) => c.op === 'get')!;
    // The first miss reads twice: its lookup, and the peek once it holds the fill lock.
    expect(get.results).toEqual({ ok: 2, error: 1, timeout: 1, skipped: 0 });
    expect(stats.calls.find((c) => c.op === 'lock')!.results.ok).toBe(1);
    expect(get.maxSeconds).toBeGreaterThanOrEqual(0.09);
    expect(stats.calls.find((c) => c.op === 'set')!.results.ok).toBe(1);
  });

  it('counts the body bytes the cache served per route: hits and stale, not stores, 304s or HEADs', async () => {
    const clock = fakeClock();
    app = await makeCacheApp(new MemoryBackend(), { clock }, platform);
    const http = () => request(app!.getHttpServer());
    const stored = await http().get('/items/1').expect(200);
    const length = Buffer.byteLength(stored.text);
    await http().get('/items/1').expect(200);
    await http().get('/items/1').expect(200);
    await http().get('/items/1').set('If-None-Match', stored.headers['etag']).expect(304);
    await http().head('/items/1').expect(200);
    await http().get('/items/2').expect(200);
    const swr = await http().get('/swr').expect(200);
    clock.advance(1500);
    await http().get('/swr').expect(200);
    await Promise.all([1, 2, 3].map(() => http().get('/slow').expect(200)));
    const slow = Buffer.byteLength((await http().get('/slow').expect(200)).text);

    const { routes } = await app.get(CacheXMetrics).snapshot();
    const bytes = (route: string, method = 'GET') =>
      routes.find((r) => r.route === route && r.method === method)?.bytes;
    expect(bytes('/items/:id')).toBe(2 * length);
    expect(bytes('/items/:id', 'HEAD')).toBe(0);
    expect(bytes('/swr')).toBe(Buffer.byteLength(swr.text));
    // Two collapsed onto the fill, one hit.
    expect(bytes('/slow')).toBe(3 * slow);
  });

  it('tells the entries and bytes the backend holds', async () => {
    app = await makeCacheApp(new MemoryBackend(), {}, platform);
    await request(app.getHttpServer()).get('/items/1').expect(200);
    await request(app.getHttpServer()).get('/big').expect(200);
    const { backend } = await app.get(CacheXMetrics).snapshot();
    expect(backend.entries).toBe(2);
    expect(backend.bytes).toBeGreaterThan(1024 * 1024);
  });

  it('publishes lookups, fills and backend calls on the cachex:* tracing channels', async () => {
    const lookups: CacheLookupContext[] = [];
    const calls: BackendCallContext[] = [];
    const fills: string[] = [];
    const noop = () => {};
    const onLookup = {
      start: noop,
      end: noop,
      asyncStart: noop,
      error: noop,
      asyncEnd: (ctx: CacheLookupContext) => void lookups.push({ ...ctx }),
    };
    const onCall = {
      ...onLookup,
      asyncEnd: (ctx: BackendCallContext) => void calls.push({ ...ctx }),
    };
    const onFill = { ...onLookup, asyncEnd: (ctx: { key: string }) => void fills.push(ctx.key) };
    const lookup = tracingChannel<unknown, CacheLookupContext>(CACHEX_CHANNELS.lookup);
    const backend = tracingChannel<unknown, BackendCallContext>(CACHEX_CHANNELS.backend);
    const fill = tracingChannel<unknown, { key: string }>(CACHEX_CHANNELS.fill);
    lookup.subscribe(onLookup);
    backend.subscribe(onCall);
    fill.subscribe(onFill);
    try {
      app = await makeCacheApp(new MemoryBackend(), {}, platform);
      await request(app.getHttpServer()).get('/items/1').expect(200);
      await request(app.getHttpServer()).get('/items/1').expect(200);
      await eventually(() => expect(lookups).toHaveLength(2));
      expect(lookups.map((l) => [l.route, l.method, l.outcome])).toEqual([
        ['/items/:id', 'GET', 'stored'],
        ['/items/:id', 'GET', 'hit'],
      ]);
      expect(fills).toHaveLength(1);
      expect(fills[0]).toContain('/items/1');
      expect(calls.map((c) => c.op)).toEqual(expect.arrayContaining(['get', 'set']));
      expect(calls.every((c) => c.backend === 'MemoryBackend')).toBe(true);
    } finally {
      lookup.unsubscribe(onLookup);
      backend.unsubscribe(onCall);
      fill.unsubscribe(onFill);
    }
  });
});
