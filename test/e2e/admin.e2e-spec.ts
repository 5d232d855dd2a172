/**
 * `CacheXAdminModule` over HTTP on both platforms: the guard on every route,
 * the JSON API (stats, keys by glob with paging, one entry, purges soft and
 * hard, clear), cross-site purges refused, and the page's HTML.
 */
import { type INestApplication } from '@nestjs/common';
import {
  CacheXAdminModule,
  CacheXConfigError,
  MemoryBackend,
  MemoryBus,
  TieredBackend,
} from 'nestjs-cachex';
import request from 'supertest';
import { platforms } from '../support/cache-app.js';
import { makeAdminApp, TestAdminGuard } from './admin-app.js';

describe('CacheXAdminModule.register', () => {
  it('refuses to register without a guard', () => {
    expect(() => CacheXAdminModule.register({} as never)).toThrow(CacheXConfigError);
    expect(() => CacheXAdminModule.register({} as never)).toThrow(/guard/);
    expect(() => CacheXAdminModule.register({ guard: TestAdminGuard, path: '/' })).toThrow(
      CacheXConfigError,
    );
  });
});

describe.each(platforms)('CacheXAdminModule on %s', (platform) => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const admin = (test: request.Test) => test.set('x-admin', 'yes');
  afterEach(() => app.close());

  it('lets no one in but whom the guard admits, on every route', async () => {
    app = await makeAdminApp(platform);
    for (const [method, path] of [
      ['get', '/cachex'],
      ['get', '/cachex/admin.css'],
      ['get', '/cachex/api/stats'],
      ['get', '/cachex/api/keys'],
      ['get', '/cachex/api/entry?key=x'],
      ['post', '/cachex/api/purge'],
      ['delete', '/cachex/api/entries'],
      ['post', '/cachex/purge'],
      ['post', '/cachex/clear'],
    ] as const) {
      await http()[method](path).expect(403);
    }
  });

  it('reports stats, lists keys by glob with paging, and shows one entry', async () => {
    app = await makeAdminApp(platform);
    for (const id of [1, 2, 3]) await http().get(`/products/${id}`).expect(200);
    await http().get('/items/9').expect(200);
    await http().get('/items/9').expect(200);

    const stats = await admin(http().get('/cachex/api/stats')).expect(200);
    expect(stats.headers['cache-control']).toBe('no-store');
    expect(stats.body.breakerOpen).toBe(false);
    expect(stats.body.backend).toMatchObject({ name: 'MemoryBackend', entries: 4 });
    const items = stats.body.routes.find((r: { route: string }) => r.route === '/items/:id');
    expect(items.outcomes).toMatchObject({ stored: 1, hit: 1 });

    const first = await admin(http().get('/cachex/api/keys?glob=/products/*&limit=2')).expect(200);
    expect(first.body.keys).toHaveLength(2);
    expect(first.body.next).toBe('2');
    const rest = await admin(
      http().get(`/cachex/api/keys?glob=/products/*&limit=2&cursor=${first.body.next}`),
    ).expect(200);
    expect(rest.body.next).toBeUndefined();
    const all = [...first.body.keys, ...rest.body.keys];
    expect(all.sort()).toEqual([1, 2, 3].map((id) => expect.stringContaining(`/products/${id}`)));

    const key = all.find((k: string) => k.includes('/products/2'))!;
    const entry = await admin(
      http().get(`/cachex/api/entry?key=${encodeURIComponent(key)}`),
    ).expect(200);
    expect(entry.body).toMatchObject({
      key,
      status: 200,
      state: 'fresh',
      tags: ['products', 'product:2'],
      path: '/products/2',
      invalidated: false,
    });
    expect(entry.body.bytes).toBeGreaterThan(0);
    expect(entry.body.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(entry.body.headers['content-type']).toMatch(/json/);
    expect(entry.body.encodedBytes).toBeUndefined();
    await admin(http().get('/cachex/api/entry?key=nothing')).expect(404);

    // A compressed entry lists its variants' sizes.
    await http().get('/big').expect(200);
    const [bigKey] = (await admin(http().get('/cachex/api/keys?glob=/big')).expect(200)).body.keys;
    const big = await admin(
      http().get(`/cachex/api/entry?key=${encodeURIComponent(bigKey)}`),
    ).expect(200);
    expect(Object.keys(big.body.encodedBytes)).toEqual(['br', 'gzip']);
    expect(big.body.encodedBytes.gzip).toBeLessThan(big.body.bytes / 100);
  });

  it('purges by tag, soft and hard, by path and by glob, and clears', async () => {
    app = await makeAdminApp(platform);
    const fill = async () => {
      for (const id of [1, 2]) await http().get(`/products/${id}`).expect(200);
      await http().get('/items/1').expect(200);
    };
    const status = async (path: string) =>
      (await http().get(path).expect(200)).headers['cache-status'] as string;
    await fill();
    const soft = await admin(http().post('/cachex/api/purge'))
      .send({ tags: ['product:1'], soft: true })
      .expect(200);
    expect(soft.body).toEqual({ purged: 1 });
    expect(await status('/products/2')).toMatch(/; hit/);

    const hard = await admin(http().post('/cachex/api/purge'))
      .send({ tag: 'products' })
      .expect(200);
    expect(hard.body).toEqual({ purged: 2 });
    expect(await status('/products/2')).toMatch(/fwd=miss; stored/);

    await admin(http().post('/cachex/api/purge')).send({ path: '/items/1' }).expect(200, {
      purged: 1,
    });
    await fill();
    await admin(http().post('/cachex/api/purge')).send({ glob: '/products/*' }).expect(200, {
      purged: 2,
    });
    await admin(http().post('/cachex/api/purge')).send({}).expect(400);
    await admin(http().post('/cachex/api/purge')).send({ path: '/a', tag: 'b' }).expect(400);
    await admin(http().delete('/cachex/api/entries')).expect(200, { purged: 1 });
  });

  it('refuses purges sent from another site, and lets same-origin forms through', async () => {
    app = await makeAdminApp(platform);
    await http().get('/products/1').expect(200);
    const purge = () => admin(http().post('/cachex/api/purge')).send({ tag: 'products' });
    await purge().set('Origin', 'http://evil.example').expect(403);
    await purge().set('Sec-Fetch-Site', 'cross-site').expect(403);
    await admin(http().delete('/cachex/api/entries'))
      .set('Sec-Fetch-Site', 'same-site')
      .expect(403);
    await admin(http().post('/cachex/clear')).set('Origin', 'http://evil.example').expect(403);
    expect((await http().get('/products/1')).headers['cache-status']).toMatch(/; hit/);

    const host = `127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const form = await admin(http().post('/cachex/purge'))
      .set('Origin', `http://${host}`)
      .set('Sec-Fetch-Site', 'same-origin')
      .type('form')
      .send({ tag: 'products', soft: 'true' })
      .expect(303);
    expect(form.headers['location']).toBe(
      `../cachex?message=${encodeURIComponent('Marked stale products: 1 entry')}`,
    );
  });

  it('shows top routes by traffic and by bytes served from the cache', async () => {
    app = await makeAdminApp(platform);
    for (let i = 0; i < 4; i++) await http().get('/items/1').expect(200);
    // Bytes are counted as sent: identity here, or /big would go out compressed (~1 KB).
    await http().get('/big').set('Accept-Encoding', 'identity').expect(200);
    await http().get('/big').set('Accept-Encoding', 'identity').expect(200);
    await http().get('/uncached').expect(200);
    const page = (await admin(http().get('/cachex')).expect(200)).text;
    const table = (id: string) =>
      page.slice(page.indexOf(`id="${id}"`), page.indexOf('</table>', page.indexOf(`id="${id}"`)));
    const routesOf = (html: string) =>
      [...html.matchAll(/<tr data-route="([^"]+)"/g)].map((m) => m[1]);
    expect(routesOf(table('routes'))).toEqual(['/items/:id', '/big']);
    const byBytes = table('routes-by-bytes');
    expect(routesOf(byBytes)).toEqual(['/big', '/items/:id']);
    const { body } = await admin(http().get('/cachex/api/stats')).expect(200);
    const bytesOf = (route: string) =>
      body.routes.find((r: { route: string }) => r.route === route).bytes as number;
    // One hit on /big (over 1 MiB), three hits on /items/1.
    expect(bytesOf('/big')).toBeGreaterThan(1024 * 1024);
    expect(bytesOf('/items/:id')).toBeGreaterThan(0);
    expect(byBytes).toContain(`data-bytes="${bytesOf('/big')}"`);
    expect(byBytes).toContain(`data-bytes="${bytesOf('/items/:id')}"`);
  });

  it('shows the bus of a TieredBackend, connected or not', async () => {
    const bus = new MemoryBus();
    const backend = new TieredBackend({
      local: new MemoryBackend(),
      shared: new MemoryBackend(),
      bus,
    });
    app = await makeAdminApp(platform, undefined, backend);
    expect((await admin(http().get('/cachex/api/stats')).expect(200)).body.busConnected).toBe(true);
    expect((await admin(http().get('/cachex')).expect(200)).text).toMatch(
      /<dd id="bus" class="good">connected</,
    );
    bus.disconnect();
    expect((await admin(http().get('/cachex/api/stats')).expect(200)).body.busConnected).toBe(
      false,
    );
    expect((await admin(http().get('/cachex')).expect(200)).text).toMatch(
      /<dd id="bus" class="bad">disconnected/,
    );
  });

  it('shows no bus on a backend without one', async () => {
    app = await makeAdminApp(platform);
    expect((await admin(http().get('/cachex/api/stats')).expect(200)).body).not.toHaveProperty(
      'busConnected',
    );
    expect((await admin(http().get('/cachex')).expect(200)).text).not.toContain('id="bus"');
  });

  it('serves a script-free page under a strict CSP, escaping what it shows', async () => {
    app = await makeAdminApp(platform, 'admin/cache');
    await http().get('/items/%3Cscript%3Ealert(1)%3C%2Fscript%3E').expect(200);
    const page = await admin(http().get('/admin/cache?message=<b>hi</b>')).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.text).not.toMatch(/<script/i);
    expect(page.text).toContain('&#60;b&#62;hi&#60;/b&#62;');
    expect(page.text).toContain('href="cache/admin.css"');
    expect(page.text).toContain('action="cache/purge"');
    expect(page.text).toMatch(/data-route="\/items\/:id"/);
    const css = await admin(http().get('/admin/cache/admin.css')).expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });
});
