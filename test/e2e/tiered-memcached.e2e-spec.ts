/**
 * TieredBackend with Memcached as the shared tier and Redis as the bus: two
 * Nest apps on a memcached and a redis-server of this file's own, on Express
 * and Fastify. Requests carry one Host, as behind a load balancer.
 */
import { type INestApplication } from '@nestjs/common';
import { MemoryBackend, TieredBackend } from 'nestjs-cachex';
import { MemcachedBackend } from 'nestjs-cachex/memcached';
import { RedisBus } from 'nestjs-cachex/redis';
import * as servers from '../setup/servers.mjs';
import { type ServerHandle } from '../setup/servers.mjs';
import { backendCase, describeBackend } from '../support/backends.js';
import { makeCacheApp, type Platform, platforms, runs } from '../support/cache-app.js';
import { memcachedCommandCount, redisSubscribers } from '../support/server-stats.js';
import {
  expectInvalidationSeenOnB,
  expectOnlyLocalHits,
  get,
  invalidations,
  warmLocally,
} from '../support/two-tier-checks.js';
import { eventually } from '../support/time.js';

const RETRY = { timeoutMs: 10_000, intervalMs: 50 };

const available = backendCase('memcached');
const redis = backendCase('redis');

describeBackend({ ...available, available: available.available && redis.available })(
  'TieredBackend on Memcached, with a Redis bus',
  () => {
    describe.each(platforms)('on %s', (platform: Platform) => {
      let memcached: ServerHandle;
      let bus: ServerHandle;
      let backendA: TieredBackend;
      let backendB: TieredBackend;
      let appA: INestApplication;
      let appB: INestApplication;

      const tiered = () =>
        new TieredBackend({
          local: new MemoryBackend(),
          shared: new MemcachedBackend({
            servers: [`127.0.0.1:${memcached.port}`],
            keyPrefix: 'tiered-e2e:',
            // Purges made elsewhere must show at once (see TieredBackendOptions.shared).
            generationCacheMs: 0,
          }),
          bus: new RedisBus({ host: '127.0.0.1', port: bus.port, channel: 'tiered-e2e' }),
        });

      beforeEach(async () => {
        [memcached, bus] = await Promise.all([servers.startMemcached(), servers.startRedis()]);
        backendA = tiered();
        backendB = tiered();
        appA = await makeCacheApp(backendA, {}, platform);
        appB = await makeCacheApp(backendB, {}, platform);
        await eventually(
          async () => expect(await redisSubscribers(bus.port, 'tiered-e2e')).toBe(2),
          RETRY,
        );
      });
      afterEach(async () => {
        await appA.close();
        await appB.close();
        await Promise.all([memcached.stop(), bus.stop()]);
      });

      it('answers local hits with no memcached command, on either app', async () => {
        await expectOnlyLocalHits([appA, appB], '/items/1', () =>
          memcachedCommandCount(memcached.port),
        );
        expect(runs['item:1']).toBe(1);
      });

      it.each(invalidations)(
        '%s on A is seen on B, which had the entry locally',
        async (_, invalidate) => {
          const removed = await expectInvalidationSeenOnB(
            [appA, appB],
            '/products/1',
            () => runs['product:1'],
            () => invalidate(backendA),
          );
          expect(removed).toBe(-1);
        },
      );

      it('refuses clearPattern, which Memcached cannot do, on both tiers', async () => {
        await expect(backendA.clearPattern('/items/*')).rejects.toThrow(/clearPattern/);
      });

      it('while memcached is down, local entries are still served', async () => {
        await warmLocally([appA, appB], '/items/1', () => memcachedCommandCount(memcached.port));
        await memcached.stop();
        for (const app of [appA, appB, appA, appB]) {
          const res = await get(app, '/items/1').expect(200);
          expect(res.headers['cache-status']).toMatch(/^cachex; hit/);
        }
        expect(runs['item:1']).toBe(1);
      });
    });
  },
);
