import request from 'supertest';
import { createApp } from './create-app';

describe('AppController (e2e)', () => {
  let app: Awaited<ReturnType<typeof createApp>>;

  beforeEach(async () => {
    app = await createApp();
  });

  afterEach(async () => {
    await app.close();
  });

  it('/ (GET)', () => {
    return request(app.getHttpServer())
      .get('/')
      .expect(200)
      .expect('Hello World!');
  });

  it('/cached (GET) is a miss, then a hit', async () => {
    const miss = await request(app.getHttpServer()).get('/cached').expect(200);
    expect(miss.headers['cache-status']).toBe('cachex; fwd=miss; stored');
    expect(miss.body).toEqual({ runs: 1 });

    const hit = await request(app.getHttpServer()).get('/cached').expect(200);
    expect(hit.headers['cache-status']).toMatch(/^cachex; hit/);
    expect(hit.body).toEqual({ runs: 1 });
  });
});
