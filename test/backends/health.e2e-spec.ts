/**
 * `nestjs-cachex/terminus` over HTTP on both platforms: a Terminus health
 * check with `CacheXHealthIndicator`, up on a running Redis server and down
 * once that server is stopped, within the backend timeout; on a two-tier
 * setup, down when the bus's Redis is stopped and up again when it is back.
 */
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { type CacheBackend, CacheXModule, MemoryBackend, TieredBackend } from 'nestjs-cachex';
import { RedisBackend, RedisBus } from 'nestjs-cachex/redis';
import { CacheXHealthIndicator } from 'nestjs-cachex/terminus';
import request from 'supertest';
import * as servers from '../setup/servers.mjs';
import { type ServerHandle } from '../setup/servers.mjs';
import { backendCase, describeBackend } from '../support/backends.js';
import { platforms, startApp } from '../support/cache-app.js';
import { eventually } from '../support/time.js';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly cache: CacheXHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.cache.isHealthy()]);
  }

  @Get('named')
  @HealthCheck()
  named() {
    return this.health.check([() => this.cache.isHealthy('redis-cache')]);
  }
}

const BACKEND_TIMEOUT_MS = 300;

async function healthApp(backend: CacheBackend, platform: (typeof platforms)[number]) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CacheXModule.forRoot({ backend, backendTimeoutMs: BACKEND_TIMEOUT_MS }),
      TerminusModule.forRoot({ logger: false }),
    ],
    controllers: [HealthController],
    providers: [CacheXHealthIndicator],
  }).compile();
  return startApp(moduleRef, platform);
}

describe.each(platforms)('CacheXHealthIndicator on %s', (platform) => {
  it('is up on a MemoryBackend, under the key given', async () => {
    const app = await healthApp(new MemoryBackend(), platform);
    try {
      const res = await request(app.getHttpServer()).get('/health/named').expect(200);
      expect(res.body.status).toBe('ok');
      expect(res.body.info['redis-cache']).toMatchObject({
        status: 'up',
        backend: 'MemoryBackend',
        breaker: 'closed',
      });
    } finally {
      await app.close();
    }
  });

  describeBackend(backendCase('redis'))('on a real Redis', () => {
    let server: ServerHandle;
    let app: INestApplication;
    beforeEach(async () => {
      server = await servers.startRedis();
      const backend = new RedisBackend({
        host: '127.0.0.1',
        port: server.port,
        keyPrefix: 'health:',
      });
      app = await healthApp(backend, platform);
    });
    afterEach(async () => {
      await app.close();
      await server.stop();
    });

    it('is up while the server runs, and down within the timeout once it is stopped', async () => {
      const up = await request(app.getHttpServer()).get('/health').expect(200);
      expect(up.body.info.cache).toMatchObject({ status: 'up', backend: 'RedisBackend' });
      expect(typeof up.body.info.cache.ms).toBe('number');

      await server.stop();
      const started = Date.now();
      const down = await request(app.getHttpServer()).get('/health').expect(503);
      expect(Date.now() - started).toBeLessThan(BACKEND_TIMEOUT_MS + 1000);
      expect(down.body.status).toBe('error');
      expect(down.body.error.cache).toMatchObject({ status: 'down', backend: 'RedisBackend' });
      expect(down.body.error.cache.message).toEqual(expect.any(String));
    });
  });

  describeBackend(backendCase('redis'))('on TieredBackend, with a Redis bus', () => {
    const RETRY = { timeoutMs: 10_000, intervalMs: 50 };
    let shared: ServerHandle;
    let bus: ServerHandle;
    let app: INestApplication;
    const health = () => request(app.getHttpServer()).get('/health');
    beforeEach(async () => {
      [shared, bus] = await Promise.all([servers.startRedis(), servers.startRedis()]);
      const backend = new TieredBackend({
        local: new MemoryBackend(),
        shared: new RedisBackend({ host: '127.0.0.1', port: shared.port, keyPrefix: 'health:' }),
        bus: new RedisBus({ host: '127.0.0.1', port: bus.port, channel: 'health-bus' }),
      });
      app = await healthApp(backend, platform);
      // The bus subscribes in the background: up once it has.
      await eventually(async () => {
        expect((await health()).body.info?.cache).toMatchObject({ status: 'up', bus: 'up' });
      }, RETRY);
    });
    afterEach(async () => {
      await app.close();
      await Promise.all([shared.stop(), bus.stop()]);
    });

    it('is down while the bus server is stopped, and up again once it is back', async () => {
      const up = await health().expect(200);
      expect(up.body.info.cache).toMatchObject({
        status: 'up',
        backend: 'TieredBackend',
        breaker: 'closed',
        bus: 'up',
      });

      await bus.stop();
      await eventually(async () => {
        const down = await health().expect(503);
        expect(down.body.error.cache).toMatchObject({
          status: 'down',
          backend: 'TieredBackend',
          bus: 'down',
          message: expect.stringMatching(/bus is disconnected/),
        });
        // The shared tier still answered the round trip.
        expect(typeof down.body.error.cache.ms).toBe('number');
      }, RETRY);

      bus = await servers.startRedis(bus.port);
      await eventually(async () => {
        expect((await health().expect(200)).body.info.cache).toMatchObject({ bus: 'up' });
      }, RETRY);
    });

    it('is down when the shared tier stops, with the bus still up', async () => {
      await shared.stop();
      const down = await health().expect(503);
      expect(down.body.error.cache).toMatchObject({
        status: 'down',
        backend: 'TieredBackend',
        bus: 'up',
        message: expect.any(String),
      });
    });
  });
});
