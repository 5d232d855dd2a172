/**
 * A backend outage (issue: robust under outages): concurrent misses still run
 * the handler once, and after a few failures the breaker stops paying the
 * timeout on every request until a probe finds the backend back. Over HTTP,
 * on Express and Fastify.
 */
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Cache, CacheXModule } from 'nestjs-cachex';
import request from 'supertest';
import { platforms, startApp } from '../support/cache-app.js';
import { FaultyBackend } from '../support/faulty-backend.js';
import { sleep } from '../support/time.js';

let runs = 0;

@Controller()
class OutageController {
  @Cache(60)
  @Get('slow')
  async slow() {
    const run = ++runs;
    // Long enough that 20 concurrent requests all arrive while it runs, on a busy machine too.
    await sleep(300);
    return { run };
  }
}

/** Long enough that the five requests below all see it open. */
const BREAKER_MS = 3000;

describe.each(platforms)('A backend outage, %s', (platform) => {
  let app: INestApplication;
  let backend: FaultyBackend;
  const get = () => request(app.getHttpServer()).get('/slow');

  beforeEach(async () => {
    runs = 0;
    backend = new FaultyBackend();
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheXModule.forRoot({
          backend,
          backendTimeoutMs: 200,
          backendBreakerFailures: 2,
          backendBreakerMs: BREAKER_MS,
          earlyHits: false,
        }),
      ],
      controllers: [OutageController],
    }).compile();
    app = await startApp(moduleRef, platform);
  });
  afterEach(() => app.close());

  it.each(['error', 'hang'] as const)(
    'runs the handler once for 20 concurrent misses while the backend calls %s',
    async (mode) => {
      backend.mode = mode;
      const answers = await Promise.all(Array.from({ length: 20 }, () => get().expect(200)));
      expect(runs).toBe(1);
      for (const res of answers) expect(res.body).toEqual({ run: 1 });
    },
  );

  it('skips the backend once the breaker opens, says so, and probes it again', async () => {
    backend.mode = 'hang';
    await get().expect(200); // a failed read opens nothing yet
    await get().expect(200); // the second failure in a row opens the breaker
    const callsWhenOpen = backend.faultedCalls;
    for (let i = 0; i < 5; i++) {
      const res = await get().expect(200);
      expect(res.headers['cache-status']).toBe('cachex; fwd=miss; detail=breaker-open');
    }
    expect(backend.faultedCalls).toBe(callsWhenOpen);

    backend.mode = 'ok';
    await sleep(BREAKER_MS + 50);
    // The probe (this request's read) finds the backend back: the response is stored again.
    const probe = await get().expect(200);
    expect(probe.headers['cache-status']).toBe('cachex; fwd=miss; stored');
    const hit = await get().expect(200);
    expect(hit.headers['cache-status']).toMatch(/^cachex; hit/);
  });
});
