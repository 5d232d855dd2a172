/**
 * TieredBackend over HTTP: two Nest apps, A and B, each with its own local
 * tier, sharing one real Redis as the shared tier and another as the bus
 * (this file's own servers, so their command counters are the apps' alone
 * and either can be stopped). Requests carry one Host, as behind a load
 * balancer, so both apps build the same keys. Every test runs on Express and
 * Fastify.
 */
import { type INestApplication } from '@nestjs/common';
import { type CacheBusMessage, MemoryBackend, TieredBackend } from 'nestjs-cachex';
import { RedisBackend, RedisBus } from 'nestjs-cachex/redis';
import { describeBackendConformance } from 'nestjs-cachex/testing';
import { Cluster } from 'ioredis';
import * as servers from '../setup/servers.mjs';
import { type ServerHandle } from '../setup/servers.mjs';
import { backendCase, describeBackend } from '../support/backends.js';
import { makeCacheApp, type Platform, platforms, runs } from '../support/cache-app.js';
import { redisCommandCount, redisSubscribers } from '../support/server-stats.js';
import {
  expectInvalidationSeenOnB,
  expectOnlyLocalHits,
  get,
  invalidations,
  warmLocally,
} from '../support/two-tier-checks.js';
import { eventually } from '../support/time.js';

const CHANNEL = 'tiered-e2e';
const RETRY = { timeoutMs: 10_000, intervalMs: 50 };

function tiered(sharedPort: number, busPort: number, busLossMaxAgeMs?: number): TieredBackend {
  return new TieredBackend({
    local: new MemoryBackend(),
    shared: new RedisBackend({ host: '127.0.0.1', port: sharedPort, keyPrefix: 'tiered-e2e:' }),
    bus: new RedisBus({ host: '127.0.0.1', port: busPort, channel: CHANNEL }),
    busLossMaxAgeMs,
  });
}

describeBackend(backendCase('redis'))('TieredBackend on Redis', () => {
  describe.each(platforms)('on %s', (platform: Platform) => {
    let shared: ServerHandle;
    let bus: ServerHandle;
    let backendA: TieredBackend;
    let backendB: TieredBackend;
    let appA: INestApplication;
    let appB: INestApplication;

    /** Starts A and B on fresh servers; both buses are subscribed when it resolves. */
    async function start(busLossMaxAgeMs?: number): Promise<void> {
      [shared, bus] = await Promise.all([servers.startRedis(), servers.startRedis()]);
      backendA = tiered(shared.port, bus.port, busLossMaxAgeMs);
      backendB = tiered(shared.port, bus.port, busLossMaxAgeMs);
      appA = await makeCacheApp(backendA, {}, platform);
      appB = await makeCacheApp(backendB, {}, platform);
      await eventually(
        async () => expect(await redisSubscribers(bus.port, CHANNEL)).toBe(2),
        RETRY,
      );
    }

    afterEach(async () => {
      await appA?.close();
      await appB?.close();
      for (const server of [shared, bus]) server?.process.kill('SIGCONT');
      await Promise.all([shared?.stop(), bus?.stop()]);
    });

    it('answers local hits with no Redis command, on either app', async () => {
      await start();
      await get(appA, '/items/1').expect(200);
      expect((await get(appB, '/items/1').expect(200)).headers['cache-status']).toMatch(
        /^cachex; hit/,
      );
      await expectOnlyLocalHits([appA, appB], '/items/1', () => redisCommandCount(shared.port));
      expect(runs['item:1']).toBe(1);
    });

    it.each([
      ...invalidations,
      ['a soft clearPath', (t: TieredBackend) => t.clearPath('/products/1', { soft: true })],
    ])('%s on A is seen on B, which had the entry locally', async (_, invalidate) => {
      await start();
      await expectInvalidationSeenOnB(
        [appA, appB],
        '/products/1',
        () => runs['product:1'],
        () => invalidate(backendA),
      );
      // B stored the new answer: A drops its copy and serves B's. (A request
      // of A's made before B's entry arrived may have joined a fill of A's
      // own, answered from B's entry: the request after it is a hit.)
      await eventually(async () => {
        expect((await get(appA, '/products/1').expect(200)).body.run).toBe(2);
      }, RETRY);
      const a = await get(appA, '/products/1').expect(200);
      expect(a.headers['cache-status']).toMatch(/^cachex; hit/);
      expect(runs['product:1']).toBe(2);
    });

    it("drops B's local copy when A stores a refreshed entry", async () => {
      await start();
      await get(appA, '/swr').expect(200);
      await get(appB, '/swr').expect(200);
      // Stale after 1 s: A serves it stale and refreshes it in the background.
      await eventually(async () => {
        await get(appA, '/swr').expect(200);
        expect(runs['swr']).toBe(2);
      }, RETRY);
      const b = await eventually(async () => {
        const res = await get(appB, '/swr').expect(200);
        expect(res.body.run).toBe(2);
        return res;
      }, RETRY);
      expect(b.headers['cache-status']).toMatch(/^cachex; hit/);
      expect(runs['swr']).toBe(2);
    });

    it('while the bus is down, serves local entries for busLossMaxAgeMs, then reads Redis; empties local when it is back', async () => {
      await start(2000);
      await warmLocally([appA, appB], '/items/1', () => redisCommandCount(shared.port));
      await bus.stop();
      await backendA.clearPath('/items/1');
      // B missed the invalidation; it still answers from local for a while...
      expect((await get(appB, '/items/1').expect(200)).body.run).toBe(1);
      // ...then no more: it reads the shared tier, where the entry is gone.
      await eventually(async () => {
        await get(appB, '/items/1').expect(200);
        expect(runs['item:1']).toBe(2);
      }, RETRY);

      await get(appB, '/items/2').expect(200);
      await get(appA, '/items/2').expect(200);
      bus = await servers.startRedis(bus.port);
      await eventually(
        async () => expect(await redisSubscribers(bus.port, CHANNEL)).toBe(2),
        RETRY,
      );
      // Back: B's local tier was emptied, so its next hit reads Redis.
      const before = await redisCommandCount(shared.port);
      await get(appB, '/items/2').expect(200);
      expect((await redisCommandCount(shared.port)) - before).toBeGreaterThan(0);
      expect(runs['item:2']).toBe(1);
    });

    it('counts a hung bus as down: past busLossMaxAgeMs, B stops answering from local', async () => {
      await start(500);
      await get(appA, '/items/1').expect(200);
      await get(appB, '/items/1').expect(200);
      // Paused: connections stay open, nothing answers, no message arrives.
      bus.process.kill('SIGSTOP');
      await backendA.clearPath('/items/1');
      await eventually(async () => {
        await get(appB, '/items/1').expect(200);
        expect(runs['item:1']).toBe(2);
      }, RETRY);
    });

    it('while the shared Redis is down, local entries are still served; caching resumes when it is back', async () => {
      await start();
      await warmLocally([appA, appB], '/items/1', () => redisCommandCount(shared.port));
      await shared.stop();
      for (let i = 0; i < 5; i++) {
        for (const app of [appA, appB]) {
          const res = await get(app, '/items/1').expect(200);
          expect(res.headers['cache-status']).toMatch(/^cachex; hit/);
        }
      }
      expect(runs['item:1']).toBe(1);
      // A new key is answered by the handler, and kept locally.
      await get(appA, '/items/2').expect(200);
      await get(appA, '/items/2').expect(200);
      expect(runs['item:2']).toBe(1);

      shared = await servers.startRedis(shared.port);
      await eventually(async () => {
        await get(appA, '/items/3').expect(200);
        expect(runs['item:3']).toBeGreaterThan(0);
        const b = await get(appB, '/items/3').expect(200);
        expect(b.headers['cache-status']).toMatch(/^cachex; hit/);
      }, RETRY);
    });
  });
});

describeBackend(backendCase('redis'))('TieredBackend as a backend', () => {
  const port = Number(process.env.CACHEX_REDIS_PORT);
  describeBackendConformance(
    'TieredBackend (memory in front of Redis, Redis bus)',
    ({ keyPrefix }) =>
      new TieredBackend({
        local: new MemoryBackend(),
        shared: new RedisBackend({ host: '127.0.0.1', port, keyPrefix }),
        bus: new RedisBus({ host: '127.0.0.1', port, channel: `${keyPrefix}bus` }),
      }),
  );
});

describeBackend(backendCase('redis-cluster'))('RedisBus on Redis Cluster', () => {
  const nodes = process.env.CACHEX_REDIS_CLUSTER_PORTS!.split(',').map((port) => ({
    host: '127.0.0.1',
    port: Number(port),
  }));

  it('carries messages between two buses, and ignores what is not a message', async () => {
    const channel = `tiered-cluster-${process.pid}`;
    const sender = new RedisBus({ cluster: { nodes }, channel });
    const receiver = new RedisBus({ cluster: { nodes }, channel });
    const raw = new Cluster(nodes);
    const received: CacheBusMessage[] = [];
    receiver.subscribe({ message: (m) => received.push(m), connected() {}, disconnected() {} });
    try {
      await eventually(() => expect(sender.connected && receiver.connected).toBe(true), RETRY);
      const message: CacheBusMessage = {
        origin: 'a',
        invalidation: { op: 'invalidateTags', tags: ['t'], soft: true },
      };
      await raw.publish(channel, 'not a message');
      await sender.publish(message);
      await eventually(() => expect(received).toEqual([message]), RETRY);
    } finally {
      await Promise.all([sender.close(), receiver.close(), raw.quit()]);
    }
  });
});
