/** The sample app, driven over HTTP on its in-memory default. */
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../sample-app/src/app.module.js';

describe('sample app', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.register()] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
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
    await http().delete('/admin/cache/tags?tags=products').expect(200);
    expect((await http().get('/products').expect(200)).headers['cache-status']).toBe(
      'cachex; fwd=miss; stored',
    );
  });

  it('clears by path and by pattern through the admin endpoints', async () => {
    await http().get('/products/2').expect(200);
    await http().get('/products/3').expect(200);
    expect(
      (await http().delete('/admin/cache/pattern?glob=/products/[23]').expect(200)).body,
    ).toEqual({
      removed: 2,
    });
    await http().get('/products/2').expect(200);
    expect((await http().delete('/admin/cache/path?path=/products/2').expect(200)).body).toEqual({
      removed: 1,
    });
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
