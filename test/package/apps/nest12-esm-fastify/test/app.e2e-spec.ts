import { Test, TestingModule } from '@nestjs/testing';
import {
  FastifyAdapter,
  NestFastifyApplication,
} from '@nestjs/platform-fastify';
import request from 'supertest';
import { AppModule } from './../src/app.module.js';

describe('AppController (e2e)', () => {
  let app: NestFastifyApplication;

  beforeEach(async () => {
    const moduleFixture: TestingModule = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();

    app = moduleFixture.createNestApplication<NestFastifyApplication>(
      new FastifyAdapter(),
    );
    // Listening keeps one port for the whole test: the cache key holds the
    // Host, port included, and supertest serves an app that is not listening
    // on a new port for every request.
    await app.listen(0);
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

  afterEach(async () => {
    await app.close();
  });
});
