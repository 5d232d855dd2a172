/**
 * A Nest app caching on Redis while its redis-server (started here, never the
 * shared one) fails: every request is still answered by its handler with 200,
 * within the backend bound, and hits come back by themselves once Redis does,
 * on both platforms (API.md "Platforms").
 */
import { type INestApplication } from '@nestjs/common';
import { RedisBackend } from 'nestjs-cachex/redis';
import request from 'supertest';
import { backendCase, describeBackend } from '../support/backends.js';
import { makeCacheApp, platforms, runs } from '../support/cache-app.js';
import { sleep } from '../support/time.js';

import * as servers from '../setup/servers.mjs';
import { type ServerHandle } from '../setup/servers.mjs';

/**
 * The module's backendTimeoutMs (its default); RedisBackend's own
 * commandTimeoutMs (500) often ends a call first.
 */
const BACKEND_TIMEOUT_MS = 1000;
/** One bound plus scheduling slack on a busy machine (two Jest workers on two cores). */
const ANSWER_WITHIN_MS = BACKEND_TIMEOUT_MS + 1000;

describeBackend(backendCase('redis')).each(platforms)(
  'HTTP caching on a failing Redis, %s',
  (platform) => {
    let server: ServerHandle;
    let app: INestApplication;

    /** GETs a path; checks it is answered with 200 in time, and returns its Cache-Status. */
    async function answered(path: string): Promise<string> {
      const started = performance.now();
      const res = await request(app.getHttpServer()).get(path).expect(200);
      expect(performance.now() - started).toBeLessThan(ANSWER_WITHIN_MS);
      return String(res.headers['cache-status']);
    }

    /**
     * GETs `path` until it is a hit. Recovery takes the backend breaker's pause
     * (backendBreakerMs, 5 s by default) and ioredis's reconnect backoff.
     */
    async function eventuallyHit(path: string): Promise<void> {
      // Not `eventually`: only "not a hit yet" is retried; an answer late or not 200 fails at once.
      const deadline = Date.now() + 15_000;
      while (!(await answered(path)).includes('hit')) {
        if (Date.now() > deadline) throw new Error(`${path} never became a hit`);
        await sleep(100);
      }
    }

    beforeEach(async () => {
      server = await servers.startRedis();
      const backend = new RedisBackend({ host: '127.0.0.1', port: server.port });
      app = await makeCacheApp(backend, { backendTimeoutMs: BACKEND_TIMEOUT_MS }, platform);
    });
    afterEach(async () => {
      server.process.kill('SIGCONT');
      await app.close();
      await server.stop();
    });

    it('answers from the handlers while Redis is stopped, and hits again after its restart', async () => {
      await answered('/items/1');
      expect(await answered('/items/1')).toMatch(/hit/);

      await server.stop();
      const statuses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => answered(`/items/${i % 4}`)),
      );
      for (const status of statuses) expect(status).not.toMatch(/hit/);
      expect(runs['item:1']).toBeGreaterThan(1);

      server = await servers.startRedis(server.port);
      await eventuallyHit('/items/7');
    });

    it('answers within the bound while Redis is paused (SIGSTOP), and hits again after', async () => {
      await answered('/items/1');
      server.process.kill('SIGSTOP');
      try {
        const statuses = await Promise.all(
          Array.from({ length: 10 }, (_, i) => answered(`/items/${i % 3}`)),
        );
        for (const status of statuses) expect(status).not.toMatch(/hit/);
      } finally {
        server.process.kill('SIGCONT');
      }
      await eventuallyHit('/items/5');
    });
  },
);
