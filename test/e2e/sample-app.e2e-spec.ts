/**
 * The sample app, driven over HTTP on its in-memory default: on Express, as
 * it ships (`sample-app/src/main.ts` creates it on Nest's default platform),
 * and on Fastify, which its modules run on unchanged.
 */
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../sample-app/src/app.module.js';
import { platforms, startApp } from '../support/cache-app.js';

describe.each(platforms)('sample app on %s', (platform) => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  /** Session cookies of an admin (ada) and of a signed-in user without the role (alan). */
  const cookies = { admin: '', user: '' };
  const AGENT = 'sample-app-e2e';
  const signIn = async (username: string, password: string) => {
    const res = await http()
      .post('/auth/login')
      .set('User-Agent', AGENT)
      .send({ username, password })
      .expect(200);
    const setCookie = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
    const cookie = setCookie.find((c) => c.startsWith('sid='))?.split(';')[0];
    expect(cookie).toBeDefined();
    return cookie!;
  };
  /** A request to the admin endpoints as `who` (the session is bound to the User-Agent). */
  const as = (who: keyof typeof cookies, req: request.Test) =>
    req.set('Cookie', cookies[who]).set('User-Agent', AGENT);
  const admin = (req: request.Test) => as('admin', req);

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.register()] }).compile();
    app = await startApp(moduleRef, platform);
    cookies.admin = await signIn('ada', 'lovelace-demo');
    cookies.user = await signIn('alan', 'turing-demo');
  });
  afterAll(() => app.close());

  it('serves the catalogue from the cache after the first request', async () => {
    const miss = await http().get('/products').expect(200);
    const hit = await http().get('/products').expect(200);
    expect(hit.headers['cache-status']).toMatch(/^cachex; hit/);
    expect(hit.body.lookups).toBe(miss.body.lookups);
    expect(hit.headers['surrogate-key']).toBe('products');
  });

  it('a rename clears the product page and the tagged list (@CacheEvict); a failed one clears nothing', async () => {
    await http().get('/products/1').expect(200);
    await http().get('/products').expect(200);
    await http().patch('/products/404').send({ name: 'Ghost' }).expect(404);
    expect((await http().get('/products').expect(200)).headers['cache-status']).toMatch(/; hit/);
    await http().patch('/products/1').send({ name: 'Big teapot' }).expect(200);
    const page = await http().get('/products/1').expect(200);
    expect(page.headers['cache-status']).toBe('cachex; fwd=miss; stored');
    expect(page.body.product.name).toBe('Big teapot');
    expect((await http().get('/products').expect(200)).headers['cache-status']).toBe(
      'cachex; fwd=miss; stored',
    );
    await admin(
      http()
        .post('/admin/cache/api/purge')
        .send({ tags: ['products'] }),
    ).expect(200);
    expect((await http().get('/products').expect(200)).headers['cache-status']).toBe(
      'cachex; fwd=miss; stored',
    );
  });

  describe('the cache admin page (CacheXAdminModule) is for admins only', () => {
    const endpoints = [
      ['GET', '/admin/cache'],
      ['GET', '/admin/cache/admin.css'],
      ['GET', '/admin/cache/api/stats'],
      ['GET', '/admin/cache/api/keys'],
      ['GET', '/admin/cache/api/entry?key=x'],
      ['POST', '/admin/cache/api/purge'],
      ['DELETE', '/admin/cache/api/entries'],
      ['POST', '/admin/cache/purge'],
      ['POST', '/admin/cache/clear'],
    ] as const;
    const send = (method: 'GET' | 'POST' | 'DELETE', url: string) =>
      method === 'GET'
        ? http().get(url)
        : method === 'POST'
          ? http()
              .post(url)
              .send({ tags: ['products'] })
          : http().delete(url);

    it.each(endpoints)('%s %s: anonymous 401, bad session 401, non-admin 403', async (m, url) => {
      const anonymous = await send(m, url).expect(401);
      expect(anonymous.body).toEqual({ statusCode: 401, message: 'Unauthorized' });
      await send(m, url).set('Cookie', 'sid=forged.token').set('User-Agent', AGENT).expect(401);
      // The admin's cookie from another browser (the session is bound to the User-Agent).
      await send(m, url).set('Cookie', cookies.admin).set('User-Agent', 'elsewhere').expect(401);
      await as('user', send(m, url)).expect(403);
    });

    it('shows an admin the page, with the catalogue requests counted', async () => {
      await http().get('/products').expect(200);
      await http().get('/products').expect(200);
      const page = await admin(http().get('/admin/cache')).expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain('data-route="/products"');
      const stats = await admin(http().get('/admin/cache/api/stats')).expect(200);
      const products = stats.body.routes.find(
        (row: { route: string; method: string }) =>
          row.route === '/products' && row.method === 'GET',
      );
      expect(products.outcomes.hit).toBeGreaterThan(0);
      expect(stats.body.backend.name).toBe('MemoryBackend');
    });

    it('refused purges remove nothing; an admin lists the keys and purges', async () => {
      await http().get('/products').expect(200);
      await http().delete('/admin/cache/api/entries').expect(401);
      await as('user', http().delete('/admin/cache/api/entries')).expect(403);
      await as('user', http().post('/admin/cache/api/purge').send({ path: '/products' })).expect(
        403,
      );
      // An admin's browser made to post by another site's page: refused too.
      await admin(
        http()
          .post('/admin/cache/api/purge')
          .set('Origin', 'https://evil.example')
          .send({ path: '/products' }),
      ).expect(403);
      expect((await http().get('/products').expect(200)).headers['cache-status']).toMatch(
        /^cachex; hit/,
      );

      const listed = await admin(http().get('/admin/cache/api/keys?glob=/products')).expect(200);
      expect(listed.body.keys).toEqual([
        expect.stringMatching(/^GET\|\|\|.*\|\|\|\/products\|\|\|$/),
      ]);
      const purged = await admin(
        http().post('/admin/cache/api/purge').send({ path: '/products' }),
      ).expect(200);
      // One entry on that path: the GET above, on the one Host supertest sends.
      expect(purged.body).toEqual({ purged: 1 });
      expect((await http().get('/products').expect(200)).headers['cache-status']).toBe(
        'cachex; fwd=miss; stored',
      );
      const cleared = await admin(http().delete('/admin/cache/api/entries')).expect(200);
      expect(cleared.body.purged).toBeGreaterThan(0);
      expect((await admin(http().get('/admin/cache/api/keys')).expect(200)).body).toEqual({
        keys: [],
      });
    });
  });

  it('clears by glob and by path through the admin API', async () => {
    await http().get('/products/2').expect(200);
    await http().get('/products/3').expect(200);
    const purge = (body: object) => admin(http().post('/admin/cache/api/purge').send(body));
    expect((await purge({ glob: '/products/[23]' }).expect(200)).body).toEqual({ purged: 2 });
    await http().get('/products/2').expect(200);
    expect((await purge({ path: '/products/2' }).expect(200)).body).toEqual({ purged: 1 });
  });

  it('answers 304 on the noCache route and caches rates with @Cacheable', async () => {
    const stock = await http().get('/products/live/stock').expect(200);
    expect(stock.headers['cache-control']).toBe('no-cache, must-revalidate');
    await http()
      .get('/products/live/stock')
      .set('If-None-Match', stock.headers['etag']!)
      .expect(304);
    const first = await http().get('/products/rates/USD').expect(200);
    const second = await http().get('/products/rates/USD').expect(200);
    expect(second.body.fetchedAt).toBe(first.body.fetchedAt);
  });
});
