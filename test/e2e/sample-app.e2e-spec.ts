/**
 * The sample app, driven over HTTP on its in-memory default. Express only:
 * the sample app is an Express app (`sample-app/src/main.ts` creates it on
 * Nest's default platform), and this suite checks the app as it ships; the
 * library's behaviour on Fastify is covered by the other suites.
 */
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../sample-app/src/app.module.js';

describe('sample app', () => {
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
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
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

  it('a rename clears the product page (invalidateOnWrite) and the tag clears the list', async () => {
    await http().get('/products/1').expect(200);
    await http().patch('/products/1').send({ name: 'Big teapot' }).expect(200);
    const page = await http().get('/products/1').expect(200);
    expect(page.headers['cache-status']).toBe('cachex; fwd=miss; stored');
    expect(page.body.product.name).toBe('Big teapot');
    await admin(http().delete('/admin/cache/tags?tags=products')).expect(200);
    expect((await http().get('/products').expect(200)).headers['cache-status']).toBe(
      'cachex; fwd=miss; stored',
    );
  });

  describe('the cache admin endpoints are for admins only', () => {
    const endpoints = [
      ['GET', '/admin/cache/keys'],
      ['DELETE', '/admin/cache/path?path=/products'],
      ['DELETE', '/admin/cache/pattern?glob=/products*'],
      ['DELETE', '/admin/cache/tags?tags=products'],
      ['DELETE', '/admin/cache'],
    ] as const;
    const send = (method: 'GET' | 'DELETE', url: string) =>
      method === 'GET' ? http().get(url) : http().delete(url);

    it.each(endpoints)('%s %s: anonymous 401, bad session 401, non-admin 403', async (m, url) => {
      const anonymous = await send(m, url).expect(401);
      expect(anonymous.body).toEqual({ statusCode: 401, message: 'Unauthorized' });
      await send(m, url).set('Cookie', 'sid=forged.token').set('User-Agent', AGENT).expect(401);
      // The admin's cookie from another browser (the session is bound to the User-Agent).
      await send(m, url).set('Cookie', cookies.admin).set('User-Agent', 'elsewhere').expect(401);
      await as('user', send(m, url)).expect(403);
    });

    it('refused purges remove nothing; an admin lists the keys and purges', async () => {
      await http().get('/products').expect(200);
      await http().delete('/admin/cache').expect(401);
      await as('user', http().delete('/admin/cache')).expect(403);
      await as('user', http().delete('/admin/cache/path?path=/products')).expect(403);
      expect((await http().get('/products').expect(200)).headers['cache-status']).toMatch(
        /^cachex; hit/,
      );

      const listed = await admin(http().get('/admin/cache/keys')).expect(200);
      expect(listed.body.keys).toEqual(
        expect.arrayContaining([expect.stringMatching(/^GET\|\|\|.*\|\|\|\/products\|\|\|$/)]),
      );
      const purged = await admin(http().delete('/admin/cache/path?path=/products')).expect(200);
      // One entry on that path: the GET above, on the one Host supertest sends.
      expect(purged.body).toEqual({ removed: 1 });
      expect((await http().get('/products').expect(200)).headers['cache-status']).toBe(
        'cachex; fwd=miss; stored',
      );
      expect((await admin(http().delete('/admin/cache')).expect(200)).body.removed).toBeGreaterThan(
        0,
      );
      expect((await admin(http().get('/admin/cache/keys')).expect(200)).body).toEqual({ keys: [] });
    });
  });

  it('clears by path and by pattern through the admin endpoints', async () => {
    await http().get('/products/2').expect(200);
    await http().get('/products/3').expect(200);
    expect(
      (await admin(http().delete('/admin/cache/pattern?glob=/products/[23]')).expect(200)).body,
    ).toEqual({
      removed: 2,
    });
    await http().get('/products/2').expect(200);
    expect(
      (await admin(http().delete('/admin/cache/path?path=/products/2')).expect(200)).body,
    ).toEqual({ removed: 1 });
  });

  it('answers 304 on the noCache route and caches rates with CacheManager', async () => {
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
