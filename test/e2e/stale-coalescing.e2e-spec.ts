/**
 * Server-side stale-while-revalidate and stale-if-error (RFC 5861),
 * coalescing of concurrent misses, hit-for-miss, tags and soft purges, Vary,
 * invalidation on writes and Surrogate-Key, over HTTP, on every backend and
 * on both platforms (API.md "Platforms").
 *
 * Entry time is a fake clock the tests move, and handlers that must still be
 * running are held at a gate: what is proved is an order of events, never a
 * duration. Only the dead lock's expiry is real time: the backend keeps it.
 */
import { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type INestApplication } from '@nestjs/common';
import { CacheBackend } from 'nestjs-cachex';
import request from 'supertest';
import { describeEachBackend } from '../support/backends.js';
import { flaky, gates, makeCacheApp, resetCacheApp, runs } from '../support/cache-app.js';
import { fakeClock } from '../support/fake-clock.js';
import { Gate } from '../support/gate.js';
import { eventually, sleep } from '../support/time.js';

/**
 * Holds back the end of the response to a request sent with `x-hold: yes`
 * until `release()`. It works on Node's response, below both platforms: on
 * Express a hit is written by the cache itself, past any interceptor.
 */
class HeldResponses {
  /** Whether a held response has been answered and waits to be sent. */
  holding = false;
  private releaseHeld = () => {};

  constructor(server: Server) {
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.headers['x-hold'] !== 'yes') return;
      const released = new Promise<void>((resolve) => (this.releaseHeld = resolve));
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((...args: unknown[]) => {
        this.holding = true;
        void released.then(() => end(...args));
        return res;
      }) as ServerResponse['end'];
    });
  }

  release(): void {
    this.releaseHeld();
  }
}

/**
 * The most a stale answer may take, in ms: its refresh is held at a gate that
 * opens only after the answer came, so an answer that waited for the refresh
 * never comes and the request fails at this bound.
 */
const STALE_ANSWER_WITHIN_MS = 5000;

/** Past `/swr`'s and `/flaky`'s 1-second ttl, inside their stale windows (30 s and 2 s). */
const PAST_TTL_MS = 1500;

/**
 * How long a request waits for a fill another instance holds the lock of. A
 * waiter that ignored the expiry of a dead owner's lock would wait this long,
 * well past the bound the dead-lock test sets.
 */
const COALESCE_TIMEOUT_MS = 10_000;

describeEachBackend('stale serving and coalescing', (backendCase, platform) => {
  let app: INestApplication;
  let backend: CacheBackend;
  const clock = fakeClock();
  const get = (path: string) => request(app.getHttpServer()).get(path);
  /** The key the default key builder gives `path` on `on` (this suite's app unless told). */
  const keyOf = (path: string, on: INestApplication = app) => {
    const { port } = on.getHttpServer().address() as { port: number };
    return `GET|||http://127.0.0.1:${port}|||${path}|||`;
  };
  /**
   * Resolves once no refresh of `path` runs on `on` (this suite's app and
   * backend unless told): its lock is released.
   */
  const refreshOver = (path: string, on = { app, backend }) =>
    eventually(async () =>
      expect(
        await on.backend.namespace('lock').get(`refresh:${keyOf(path, on.app)}`),
      ).toBeUndefined(),
    );

  /** GETs `path` until its body's `run` is `run` (stale answers come first), and returns that answer. */
  async function answerOfRun(path: string, run: number): Promise<request.Response> {
    // A non-200 answer fails at once; only the body of a not-yet-refreshed entry is retried.
    let failed: Error | undefined;
    const answer = await eventually(
      async () => {
        const res = await get(path);
        if (res.status !== 200) failed ??= new Error(`${path} answered ${res.status}`);
        if (failed) return res;
        expect(res.body.run).toBe(run);
        return res;
      },
      { timeoutMs: 5000 },
    );
    if (failed) throw failed;
    return answer;
  }

  beforeAll(async () => {
    backend = backendCase.create({ keyPrefix: `stale-${process.pid}-${Date.now()}:` });
    app = await makeCacheApp(
      backend,
      { surrogateKeys: true, coalesceTimeoutMs: COALESCE_TIMEOUT_MS, clock },
      platform,
    );
  });
  afterAll(() => app.close());
  beforeEach(async () => {
    await backend.clear();
    resetCacheApp();
  });

  it('stale-while-revalidate answers at once from the stale entry, then refreshes it once', async () => {
    await get('/swr').expect(200);
    clock.advance(PAST_TTL_MS);
    const refresh = (gates.swr = new Gate());
    // Its refresh is held until later: an answer that waited for it would time out.
    const stale = await get('/swr').timeout(STALE_ANSWER_WITHIN_MS).expect(200);
    expect(stale.body).toEqual({ run: 1 });
    expect(stale.headers['cache-status']).toBe('cachex; hit; ttl=-1');
    expect(stale.headers['age']).toBe('1');
    // The refresh started once the stale answer was sent; until it lands, answers stay stale.
    await eventually(() => expect(runs['swr']).toBe(2));
    expect((await get('/swr').expect(200)).body).toEqual({ run: 1 });
    refresh.open();
    const fresh = await answerOfRun('/swr', 2);
    expect(fresh.headers['cache-status']).toBe('cachex; hit; ttl=1');
    expect(fresh.headers['age']).toBe('0');
    expect(fresh.headers['etag']).not.toBe(stale.headers['etag']);
    await refreshOver('/swr');
    expect(runs['swr']).toBe(2);
  });

  it('runs exactly one refresh under 50 concurrent stale requests', async () => {
    await get('/swr').expect(200);
    clock.advance(PAST_TTL_MS);
    const refresh = (gates.swr = new Gate());
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => get('/swr').timeout(STALE_ANSWER_WITHIN_MS)),
    );
    // All answered while the one refresh is held: none waited for it, none ran another.
    for (const res of answers) expect(res.body).toEqual({ run: 1 });
    await eventually(() => expect(runs['swr']).toBe(2));
    refresh.open();
    await answerOfRun('/swr', 2);
    await refreshOver('/swr');
    expect(runs['swr']).toBe(2);
  });

  it('a stale answer sent after the refresh landed starts no second refresh', async () => {
    const lateBackend = backendCase.create({ keyPrefix: `late-${process.pid}-${Date.now()}:` });
    const lateClock = fakeClock();
    const lateApp = await makeCacheApp(lateBackend, { clock: lateClock }, platform);
    const hold = new HeldResponses(lateApp.getHttpServer());
    const getLate = () => request(lateApp.getHttpServer()).get('/swr');
    try {
      await getLate().expect(200);
      lateClock.advance(PAST_TTL_MS);
      // One request reads the stale entry; its answer is sent only after the refresh landed.
      const late = getLate()
        .set('x-hold', 'yes')
        .then((res) => res);
      await eventually(() => expect(hold.holding).toBe(true));
      expect((await getLate().expect(200)).body).toEqual({ run: 1 });
      await eventually(async () => expect((await getLate()).body.run).toBe(2));
      // The refresh is over (its lock released), not only landed.
      await refreshOver('/swr', { app: lateApp, backend: lateBackend });
      hold.release();
      expect((await late).body).toEqual({ run: 1 });
      // Time for a refresh the late answer wrongly started to run its handler.
      await sleep(500);
      expect(runs['swr']).toBe(2);
    } finally {
      hold.release();
      await lateApp.close();
    }
  });

  it('a failed background refresh leaves the stale entry in place', async () => {
    await get('/swr-flaky').expect(200);
    clock.advance(PAST_TTL_MS);
    flaky.mode = 'throw';
    expect((await get('/swr-flaky').expect(200)).body).toEqual({ run: 1 });
    await eventually(() => expect(runs['swr-flaky']).toBe(2));
    await refreshOver('/swr-flaky');
    const still = await get('/swr-flaky').expect(200);
    expect(still.body).toEqual({ run: 1 });
    expect(still.headers['cache-status']).toBe('cachex; hit; ttl=-1');
  });

  it('stale-if-error serves the stale entry on a throw and on a 503, then lets errors through', async () => {
    await get('/flaky').expect(200);
    clock.advance(PAST_TTL_MS);
    flaky.mode = 'throw';
    const thrown = await get('/flaky').expect(200);
    expect(thrown.body).toEqual({ run: 1 });
    expect(thrown.headers['cache-status']).toBe('cachex; fwd=miss; detail=stale-if-error');
    flaky.mode = '503';
    const unavailable = await get('/flaky').expect(200);
    expect(unavailable.body).toEqual({ run: 1 });
    // The stale-if-error window (2 s) ends 3 s after the entry was stored.
    clock.advance(3000 - PAST_TTL_MS);
    flaky.mode = 'throw';
    await get('/flaky').expect(503);
    expect(runs['flaky']).toBe(4);
  });

  it('runs the handler once for 100 concurrent misses', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, () => get('/slow')));
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ run: 1 });
    }
    expect(runs['slow']).toBe(1);
    // One answer ran the handler; the others waited for it, or came after it and hit.
    const statuses = answers.map((res) => res.headers['cache-status']!);
    expect(statuses.filter((status) => status === 'cachex; fwd=miss; stored')).toHaveLength(1);
    for (const status of statuses) {
      expect(status).toMatch(/^cachex; (fwd=miss; (stored|collapsed)|hit; ttl=\d+)$/);
    }
  });

  it('coalesce: false lets every concurrent miss run the handler', async () => {
    await Promise.all(Array.from({ length: 10 }, () => get('/slow-uncoalesced')));
    expect(runs['slow-uncoalesced']).toBe(10);
  });

  it('hit-for-miss: once a key proves unstorable, concurrent requests run side by side', async () => {
    await get('/slow-cookie').expect(200);
    const handlers = (gates.slowCookie = new Gate());
    const answers = Promise.all(Array.from({ length: 100 }, () => get('/slow-cookie')));
    try {
      // All 100 handlers run at once, none waiting for another (which is held at the gate).
      await eventually(() => expect(runs['slow-cookie']).toBe(101));
    } finally {
      handlers.open();
    }
    for (const res of await answers) expect(res.status).toBe(200);
    expect(runs['slow-cookie']).toBe(101);
  });

  it('a fill lock whose owner died expires, and the next request proceeds', async () => {
    const locks = backend.namespace('lock');
    expect(await locks.add(`fill:${keyOf('/slow')}`, 'dead-owner', 1)).toBe(true);
    const started = Date.now();
    const res = await get('/slow').expect(200);
    expect(res.body).toEqual({ run: 1 });
    // The lock lives 1 s (up to a second more on memcached's whole-second clock), the handler
    // 200 ms; a request that ignored its expiry would wait the whole COALESCE_TIMEOUT_MS.
    expect(Date.now() - started).toBeLessThan(COALESCE_TIMEOUT_MS / 2);
  });

  it('invalidates exactly the tagged entries, and sends them as Surrogate-Key', async () => {
    const first = await get('/products/1').expect(200);
    expect(first.headers['surrogate-key']).toBe('products product:1');
    await get('/products/2').expect(200);
    await backend.invalidateTags(['product:1']);
    expect((await get('/products/1')).headers['cache-status']).toBe('cachex; fwd=miss; stored');
    expect((await get('/products/2')).headers['cache-status']).toMatch(/hit/);
    await backend.invalidateTags(['products']);
    expect((await get('/products/1')).headers['cache-status']).toBe('cachex; fwd=miss; stored');
    expect((await get('/products/2')).headers['cache-status']).toBe('cachex; fwd=miss; stored');
    expect(runs['product:1']).toBe(3);
  });

  it('a soft purge serves the stale entry once while it refreshes', async () => {
    await get('/swr').expect(200);
    await backend.invalidateTags(['swr'], { soft: true });
    const stale = await get('/swr').expect(200);
    expect(stale.body).toEqual({ run: 1 });
    expect(stale.headers['cache-status']).toBe('cachex; hit; ttl=0');
    await eventually(() => expect(runs['swr']).toBe(2));
    await answerOfRun('/swr', 2);
    await refreshOver('/swr');
    expect(runs['swr']).toBe(2);
  });

  it('a soft clearPath does the same', async () => {
    await get('/swr').expect(200);
    await backend.clearPath('/swr', { soft: true });
    expect((await get('/swr').expect(200)).body).toEqual({ run: 1 });
    await eventually(() => expect(runs['swr']).toBe(2));
    await answerOfRun('/swr', 2);
    await refreshOver('/swr');
    expect(runs['swr']).toBe(2);
  });

  it('keys entries by the Vary headers and sends Vary', async () => {
    const en = await get('/greeting').set('Accept-Language', 'en').expect(200);
    const fr = await get('/greeting').set('Accept-Language', 'fr').expect(200);
    expect(en.body.hello).toBe('hello');
    expect(fr.body.hello).toBe('bonjour');
    expect(fr.headers['vary']).toBe('accept-language');
    const frAgain = await get('/greeting').set('Accept-Language', 'fr').expect(200);
    expect(frAgain.body.hello).toBe('bonjour');
    expect(frAgain.headers['cache-status']).toMatch(/hit/);
    expect(runs['greeting']).toBe(2);
  });

  it('never stores a response with Vary: *', async () => {
    await get('/vary-star').expect(200);
    await get('/vary-star').expect(200);
    expect(runs['vary-star']).toBe(2);
  });
});

describeEachBackend('writes and shared backends', (backendCase, platform) => {
  it('invalidateOnWrite: a successful POST removes the GET entries of its path and its Location', async () => {
    const backend = backendCase.create({ keyPrefix: `write-${process.pid}-${Date.now()}:` });
    const app = await makeCacheApp(backend, { invalidateOnWrite: true }, platform);
    try {
      const server = app.getHttpServer();
      await request(server).get('/items/1?x=1').expect(200);
      await request(server).get('/items/2').expect(200);
      await request(server).post('/items/1').expect(201);
      await request(server).get('/items/3-moved').expect(200);
      await request(server).post('/items/3/move').expect(201);
      expect((await request(server).get('/items/3-moved')).headers['cache-status']).toBe(
        'cachex; fwd=miss; stored',
      );
      expect((await request(server).get('/items/1?x=1')).headers['cache-status']).toBe(
        'cachex; fwd=miss; stored',
      );
      expect((await request(server).get('/items/2')).headers['cache-status']).toMatch(/hit/);
    } finally {
      await app.close();
    }
  });

  if (backendCase.name === 'memory') return;
  it('two app instances sharing the backend run the handler once for 100 concurrent misses', async () => {
    const prefix = `shared-${process.pid}-${Date.now()}:`;
    const one = await makeCacheApp(backendCase.create({ keyPrefix: prefix }), {}, platform);
    const two = await makeCacheApp(backendCase.create({ keyPrefix: prefix }), {}, platform);
    try {
      // Both instances must compute the same key: pin the Host header.
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          request((i % 2 ? one : two).getHttpServer())
            .get('/slow')
            .set('Host', 'shared.example'),
        ),
      );
      for (const res of answers) expect(res.body).toEqual({ run: 1 });
      expect(runs['slow']).toBe(1);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
