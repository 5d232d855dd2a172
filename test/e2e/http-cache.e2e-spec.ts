/**
 * The HTTP behaviour of a `@Cache` route (API.md "HTTP behaviour"), driven
 * over HTTP, run against every backend. Entry time is a fake clock the tests
 * move; one suite per backend waits in real time for the backend's own expiry.
 */
import { type INestApplication } from '@nestjs/common';
import { CacheBackend } from 'nestjs-cachex';
import request from 'supertest';
import {
  backendCases,
  describeBackend,
  describeEachBackend,
  purgeCount,
} from '../support/backends.js';
import { makeCacheApp, resetCacheApp, runs } from '../support/cache-app.js';
import { fakeClock } from '../support/fake-clock.js';
import { eventually } from '../support/time.js';

const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describeEachBackend('HTTP caching', (backendCase, platform) => {
  let app: INestApplication;
  let backend: CacheBackend;
  const clock = fakeClock();
  const get = (path: string) => request(app.getHttpServer()).get(path);

  beforeAll(async () => {
    backend = backendCase.create({ keyPrefix: `http-${process.pid}-${Date.now()}:` });
    app = await makeCacheApp(backend, { clock }, platform);
  });
  afterAll(() => app.close());
  beforeEach(async () => {
    await backend.clear();
    resetCacheApp();
  });

  it('stores a miss and answers the next request from the cache without the handler', async () => {
    const miss = await get('/items/1').expect(200);
    expect(miss.headers['cache-status']).toBe('cachex; fwd=miss; stored');
    expect(miss.headers['cache-control']).toBe('max-age=60');
    expect(miss.headers['etag']).toMatch(/^"[0-9a-f]+-[A-Za-z0-9_-]+"$/);
    expect(miss.headers['last-modified']).toBeDefined();
    expect(miss.body).toEqual({ id: '1', q: null, run: 1, unicode: 'żółw 🐢' });

    const hit = await get('/items/1').expect(200);
    expect(hit.headers['cache-status']).toBe('cachex; hit; ttl=60');
    expect(hit.headers['age']).toBe('0');
    expect(hit.headers['etag']).toBe(miss.headers['etag']);
    expect(hit.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(hit.text).toBe(miss.text);
    expect(runs['item:1']).toBe(1);
  });

  it('counts Age up and the ttl of Cache-Status down, in whole seconds', async () => {
    const miss = await get('/items/11').expect(200);
    clock.advance(10_500);
    const hit = await get('/items/11').expect(200);
    expect(hit.headers['age']).toBe('10');
    expect(hit.headers['cache-status']).toBe('cachex; hit; ttl=49');
    expect(hit.headers['last-modified']).toBe(miss.headers['last-modified']);
    expect(runs['item:11']).toBe(1);
  });

  it('dates Last-Modified when the entry is stored', async () => {
    const miss = await get('/items/12').expect(200);
    expect(Date.parse(miss.headers['last-modified']!)).toBe(Math.floor(clock.now() / 1000) * 1000);
  });

  it('keys by path, query string and Host', async () => {
    await get('/items/2?q=a').expect(200);
    await get('/items/2?q=b').expect(200);
    await get('/items/2?q=a').set('Host', 'other.example:8080').expect(200);
    const hit = await get('/items/2?q=a').expect(200);
    expect(hit.headers['cache-status']).toMatch(/hit/);
    expect(runs['item:2']).toBe(3);
  });

  it('answers HEAD from the GET entry, without a body', async () => {
    await get('/items/3').expect(200);
    const head = await request(app.getHttpServer()).head('/items/3').expect(200);
    expect(head.headers['cache-status']).toMatch(/^cachex; hit/);
    expect(head.text).toBeUndefined();
    expect(runs['item:3']).toBe(1);
  });

  it.each([
    ['the exact tag', (etag: string) => etag],
    ['a weak form of the tag', (etag: string) => `W/${etag}`],
    ['a list holding the tag', (etag: string) => `"nope", ${etag} , W/"other"`],
    ['*', () => '*'],
  ])('answers 304 with no body for If-None-Match with %s', async (_name, header) => {
    const first = await get('/items/4').expect(200);
    const etag = first.headers['etag']!;
    const res = await get('/items/4').set('If-None-Match', header(etag)).expect(304);
    expect(res.text).toBe('');
    expect(res.headers['etag']).toBe(etag);
    expect(res.headers['cache-control']).toBe('max-age=60');
    expect(res.headers['content-type']).toBeUndefined();
    expect(runs['item:4']).toBe(1);
  });

  it.each([
    ['a tag that differs', '"something-else"'],
    ['a malformed value', 'garbage without quotes'],
    ['an oversized (12 KB) value', `"${'a'.repeat(12 * 1024)}"`],
  ])('answers 200 for If-None-Match with %s', async (_name, header) => {
    await get('/items/5').expect(200);
    const res = await get('/items/5').set('If-None-Match', header).expect(200);
    expect(res.body.id).toBe('5');
  });

  it('leaves a 16 KB If-None-Match to Node, which refuses it with 431', async () => {
    await get('/items/5')
      .set('If-None-Match', `"${'a'.repeat(16 * 1024)}"`)
      .expect(431);
  });

  it('honours If-Modified-Since only without If-None-Match', async () => {
    const first = await get('/items/6').expect(200);
    const later = new Date(clock.now() + 60_000).toUTCString();
    const earlier = new Date(clock.now() - 3_600_000).toUTCString();
    await get('/items/6').set('If-Modified-Since', later).expect(304);
    await get('/items/6').set('If-Modified-Since', earlier).expect(200);
    await get('/items/6').set('If-Modified-Since', 'not a date').expect(200);
    await get('/items/6')
      .set('If-None-Match', '"nope"')
      .set('If-Modified-Since', later)
      .expect(200);
    await get('/items/6')
      .set('If-None-Match', first.headers['etag']!)
      .set('If-Modified-Since', earlier)
      .expect(304);
  });

  it('leaves other methods to the handler, without cache headers', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await request(app.getHttpServer()).post('/items/7').expect(201);
      expect(res.headers['cache-control']).toBeUndefined();
      expect(res.headers['cache-status']).toBeUndefined();
    }
    expect(runs['post:7']).toBe(2);
  });

  it('keeps the handler headers but drops hop-by-hop ones', async () => {
    await get('/custom-headers').expect(200);
    const hit = await get('/custom-headers').expect(200);
    expect(hit.headers['cache-status']).toMatch(/hit/);
    expect(hit.headers['x-custom']).toBe('kept');
    expect(hit.headers['proxy-authenticate']).toBeUndefined();
  });

  it("keeps the handler's own ETag and Last-Modified", async () => {
    await get('/own-validators').expect(200);
    const hit = await get('/own-validators').expect(200);
    expect(hit.headers['etag']).toBe('W/"handler-etag"');
    expect(hit.headers['last-modified']).toBe('Wed, 21 Oct 2015 07:28:00 GMT');
    await get('/own-validators').set('If-None-Match', '"handler-etag"').expect(304);
    expect(runs['own-validators']).toBe(1);
  });

  it('stores only the allowed statuses, keeping the status code', async () => {
    await get('/status-203').expect(203);
    const hit = await get('/status-203').expect(203);
    expect(hit.headers['cache-status']).toMatch(/hit/);
    expect(runs['status-203']).toBe(1);

    const first = await get('/status-203-not-stored').expect(203);
    expect(first.headers['cache-status']).toMatch(/^cachex; fwd=miss/);
    expect(first.headers['cache-status']).not.toMatch(/stored/);
    await get('/status-203-not-stored').expect(203);
    expect(runs['status-203-not-stored']).toBe(2);
  });

  it('never caches a handler error', async () => {
    await get('/not-found').expect(404);
    await get('/not-found').expect(404);
    expect(runs['not-found']).toBe(2);
  });

  it('never stores a response that sets a cookie', async () => {
    const first = await get('/cookie').expect(200);
    expect(first.headers['set-cookie']).toEqual(['a=1; Path=/']);
    await get('/cookie').expect(200);
    expect(runs['cookie']).toBe(2);
  });

  it('passes streams and @Res() answers through uncached', async () => {
    for (let i = 0; i < 2; i++) {
      const streamed = await get('/stream').buffer(true).parse(binary).expect(200);
      expect(streamed.body.toString()).toBe('streamed body');
      expect(streamed.headers['cache-status']).toBe('cachex; fwd=miss');
    }
    expect((await get('/raw').expect(200)).text).toBe('raw answer');
    expect((await get('/raw').expect(200)).text).toBe('raw answer');
    expect(runs['stream']).toBe(2);
    expect(runs['raw']).toBe(2);
  });

  it('sends byte-identical binary and text bodies from the cache', async () => {
    const first = await get('/bytes').buffer(true).parse(binary).expect(200);
    const hit = await get('/bytes').buffer(true).parse(binary).expect(200);
    expect(Buffer.compare(hit.body, Buffer.from([0, 255, 1, 254, 128, 10, 13, 0]))).toBe(0);
    expect(Buffer.compare(hit.body, first.body)).toBe(0);
    expect(hit.headers['content-type']).toBe('application/octet-stream');
    const text = await get('/text').expect(200);
    const textHit = await get('/text').expect(200);
    expect(textHit.text).toBe('plain text é');
    expect(textHit.headers['content-type']).toBe(text.headers['content-type']);
    expect(runs['bytes']).toBe(1);
    expect(runs['text']).toBe(1);
  });

  it('round-trips a 1 MB body (Memcached: over its item limit, answered but not kept)', async () => {
    const first = await get('/big').expect(200);
    const second = await get('/big').expect(200);
    expect(second.text.length).toBe(first.text.length);
    expect(second.text).toBe(first.text);
    const overItemLimit = backendCase.name === 'memcached';
    expect(second.headers['cache-status']).toMatch(overItemLimit ? /fwd=miss/ : /hit/);
    expect(runs['big']).toBe(overItemLimit ? 2 : 1);
  });

  it('noCache: runs the handler every time yet answers 304 to a matching validator', async () => {
    const first = await get('/no-cache').expect(200);
    expect(first.headers['cache-control']).toBe('no-cache');
    await get('/no-cache').set('If-None-Match', first.headers['etag']!).expect(304);
    expect(runs['no-cache']).toBe(2);
  });

  it('noStore: neither reads nor writes the cache', async () => {
    const first = await get('/no-store').expect(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.headers['cache-status']).toBe('cachex; fwd=bypass; detail=no-store');
    await get('/no-store').expect(200);
    expect(runs['no-store']).toBe(2);
  });

  it('neither serves nor stores a request with Authorization on a shared route', async () => {
    await get('/shared').expect(200);
    const withAuth = await get('/shared').set('Authorization', 'Bearer alice').expect(200);
    expect(withAuth.headers['cache-status']).toMatch(/^cachex; fwd=bypass/);
    expect(withAuth.body.user).toBe('Bearer alice');
    const anonymous = await get('/shared').expect(200);
    expect(anonymous.body.user).toBeNull();
    expect(anonymous.headers['cache-status']).toMatch(/hit/);
    expect(runs['shared']).toBe(2);
  });

  it('public: one entry for everyone, credentials or not', async () => {
    await get('/public').set('Authorization', 'Bearer alice').expect(200);
    const hit = await get('/public').set('Authorization', 'Bearer bob').expect(200);
    expect(hit.headers['cache-status']).toMatch(/hit/);
    expect(runs['public']).toBe(1);
  });

  it("private: one entry per credential, never another user's", async () => {
    const alice = await get('/private').set('Authorization', 'Bearer alice').expect(200);
    expect(alice.headers['cache-control']).toBe('private, max-age=60');
    const bob = await get('/private').set('Authorization', 'Bearer bob').expect(200);
    expect(bob.body.user).toBe('Bearer bob');
    const aliceAgain = await get('/private').set('Authorization', 'Bearer alice').expect(200);
    expect(aliceAgain.body.user).toBe('Bearer alice');
    expect(aliceAgain.headers['cache-status']).toMatch(/hit/);
    const nobody = await get('/private').expect(200);
    expect(nobody.headers['cache-status']).toMatch(/^cachex; fwd=bypass/);
    expect(nobody.headers['cache-control']).toBe('private, max-age=60');
    expect(nobody.body.user).toBeNull();
    expect(runs['private']).toBe(3);
  });

  it('sends every directive in the contract order', async () => {
    const res = await get('/directives').expect(200);
    expect(res.headers['cache-control']).toBe(
      'public, max-age=30, s-maxage=120, must-revalidate, proxy-revalidate, no-transform, immutable, stale-while-revalidate=15, stale-if-error=300',
    );
  });

  it('expires an entry after its ttl', async () => {
    await get('/short').expect(200);
    clock.advance(999);
    const last = await get('/short').expect(200);
    expect(last.headers['cache-status']).toBe('cachex; hit; ttl=0');
    expect(runs['short']).toBe(1);
    clock.advance(1);
    const after = await get('/short').expect(200);
    expect(after.headers['cache-status']).toBe('cachex; fwd=miss; stored');
    expect(runs['short']).toBe(2);
  });

  it('keys odd hosts and query strings apart, as received', async () => {
    const odd = ['/items/8?a=1&a=2', '/items/8?%F0%9F%90%A2=%20', '/items/8?', '/items/8?a=1;b=2'];
    for (const path of odd) await get(path).set('Host', 'weird-host.example:1').expect(200);
    await get('/items/8').set('Host', 'h'.repeat(200)).expect(200);
    for (const path of odd) {
      const hit = await get(path).set('Host', 'weird-host.example:1').expect(200);
      expect(hit.headers['cache-status']).toMatch(/hit/);
    }
    expect(runs['item:8']).toBe(odd.length + 1);
  });

  it('runs guards before answering from the cache', async () => {
    await get('/guarded').set('X-Let-Me-In', 'yes').expect(200);
    await get('/guarded').expect(403);
    const hit = await get('/guarded').set('X-Let-Me-In', 'yes').expect(200);
    expect(hit.headers['cache-status']).toMatch(/hit/);
  });

  it('adds no cache headers to routes without @Cache', async () => {
    const res = await get('/uncached').expect(200);
    expect(res.headers['cache-status']).toBeUndefined();
    expect(res.headers['cache-control']).toBeUndefined();
  });

  it('clearPath through the injected backend makes the next request a miss', async () => {
    await get('/items/9?x=1').expect(200);
    await get('/items/9').expect(200);
    await get('/items/10').expect(200);
    const injected = app.get(CacheBackend);
    expect(await injected.clearPath('/items/9')).toBe(purgeCount(backendCase, 2));
    expect((await get('/items/9?x=1')).headers['cache-status']).toBe('cachex; fwd=miss; stored');
    expect((await get('/items/9')).headers['cache-status']).toBe('cachex; fwd=miss; stored');
    expect((await get('/items/10')).headers['cache-status']).toMatch(/hit/);
  });
});

for (const backendCase of backendCases) {
  describeBackend(backendCase)(`The backend's own expiry on ${backendCase.name}`, () => {
    it("forgets an entry at the end of its lifetime, whatever the app's clock says", async () => {
      const backend = backendCase.create({ keyPrefix: `expiry-${process.pid}-${Date.now()}:` });
      // A clock that never moves: the interceptor alone would serve the entry forever.
      const app = await makeCacheApp(backend, { clock: fakeClock() });
      try {
        const get = () => request(app.getHttpServer()).get('/short').expect(200);
        await get();
        expect((await get()).headers['cache-status']).toBe('cachex; hit; ttl=1');
        // `/short` lives 1 s; Memcached counts whole seconds and keeps it up to 1 s more.
        await eventually(
          async () =>
            expect((await get()).headers['cache-status']).toBe('cachex; fwd=miss; stored'),
          { timeoutMs: 4000, intervalMs: 100 },
        );
        expect(runs['short']).toBe(2);
      } finally {
        await app.close();
      }
    });
  });
}
