/**
 * CacheManager.getOrSet across instances: two apps sharing one backend
 * compute a value once for concurrent callers, through the backend's lock.
 */
import { Controller, Get, type INestApplication, Param } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { type CacheBackend, CacheManager, CacheXModule } from 'nestjs-cachex';
import request from 'supertest';
import { backendCase, describeBackend } from '../support/backends.js';
import { sleep } from '../support/time.js';

let computations = 0;

@Controller()
class RatesController {
  constructor(private readonly cache: CacheManager) {}

  @Get('rate/:currency')
  rate(@Param('currency') currency: string) {
    return this.cache.getOrSet(
      `rate:${currency}`,
      async () => {
        computations++;
        await sleep(300);
        return { currency, perEuro: 1.08 };
      },
      60,
    );
  }
}

async function startApp(backend: CacheBackend): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [CacheXModule.forRoot({ backend })],
    controllers: [RatesController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

// Shared backends (skipped, not dropped, when CACHEX_BACKENDS leaves them out).
for (const sharedCase of (['redis', 'redis-cluster', 'memcached'] as const).map(backendCase)) {
  describeBackend(sharedCase)(`CacheManager across instances on ${sharedCase.name}`, () => {
    it('two instances compute a value once for 20 concurrent callers', async () => {
      computations = 0;
      const prefix = `manager-${process.pid}-${Date.now()}:`;
      const apps = [
        await startApp(sharedCase.create({ keyPrefix: prefix })),
        await startApp(sharedCase.create({ keyPrefix: prefix })),
      ];
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          request(apps[i % 2]!.getHttpServer())
            .get('/rate/USD')
            .expect(200),
        ),
      );
      for (const res of answers) expect(res.body).toEqual({ currency: 'USD', perEuro: 1.08 });
      expect(computations).toBe(1);
      await Promise.all(apps.map((app) => app.close()));
    });
  });
}
