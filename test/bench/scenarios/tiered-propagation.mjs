/**
 * Invalidation propagation between two TieredBackend instances (issue 16):
 * A and B, each with its own local tier and its own RedisBus connections, on
 * one Redis. For each of `count` rounds, B holds an entry locally, A calls
 * `clearPath` on its path, and the time from that call until B's local tier
 * no longer has the entry (B would then read Redis, where it is gone) is
 * recorded. Goal: p99 < 20 ms on loopback. Both instances share this
 * process's event loop, so the figure includes no second process's
 * scheduling.
 *
 * Standalone: `node test/bench/scenarios/tiered-propagation.mjs` builds the
 * library snapshot, starts its own redis-server and prints the figures
 * (TIERED_ROUNDS rounds, default 1000).
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { nearestRank } from '../lib/stats.mjs';

const GOAL_P99_MS = 20;

const entry = (path) => ({
  status: 200,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: Buffer.from('{"ok":true}'),
  storedAt: Date.now(),
  maxAge: 600,
  path,
  query: '',
});
const key = (path) => `GET|||shop.test|||${path}|||`;

/** Runs the rounds against the Redis at `port`; resolves to the percentiles in ms and the verdict. */
export async function runTieredPropagation({ port, count = 1000 }) {
  const { MemoryBackend, TieredBackend } = await import('nestjs-cachex');
  const { RedisBackend, RedisBus } = await import('nestjs-cachex/redis');
  const channel = `bench-tiered-${process.pid}`;
  const instance = () => {
    const local = new MemoryBackend();
    const bus = new RedisBus({ host: '127.0.0.1', port, channel });
    const shared = new RedisBackend({ host: '127.0.0.1', port, keyPrefix: `${channel}:` });
    return { local, bus, backend: new TieredBackend({ local, shared, bus }) };
  };
  const a = instance();
  const b = instance();
  const deadline = Date.now() + 10_000;
  // Both subscriptions in place: a store on A reaches B.
  while (!(a.bus.connected && b.bus.connected)) {
    if (Date.now() > deadline) throw new Error('the RedisBus subscriptions did not come up');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const timesMs = [];
  try {
    for (let i = 0; i < count; i++) {
      const path = `/products/${i}`;
      await a.backend.set(key(path), entry(path));
      while (!(await b.local.get(key(path)))) {
        await b.backend.get(key(path));
        await nextTurn();
      }
      const started = performance.now();
      const purge = a.backend.clearPath(path);
      while (await b.local.get(key(path))) await nextTurn();
      timesMs.push(performance.now() - started);
      await purge;
    }
  } finally {
    await Promise.all([a.backend.close(), b.backend.close()]);
  }
  const sorted = [...timesMs].sort((x, y) => x - y);
  const p50Ms = nearestRank(sorted, 0.5);
  const p99Ms = nearestRank(sorted, 0.99);
  return {
    count,
    p50Ms,
    p99Ms,
    maxMs: sorted[sorted.length - 1],
    goalP99Ms: GOAL_P99_MS,
    met: p99Ms < GOAL_P99_MS,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { buildAll } = await import('../lib/build.mjs');
  const { startRedis } = await import('../../setup/servers.mjs');
  buildAll((text) => process.stdout.write(`${text}\n`));
  const redis = await startRedis();
  try {
    const count = Number(process.env.TIERED_ROUNDS ?? 1000);
    const result = await runTieredPropagation({ port: redis.port, count });
    const verdict = result.met ? 'met' : 'NOT met';
    process.stdout.write(
      `tiered invalidation propagation over ${result.count} clearPath calls: ` +
        `p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ` +
        `max ${result.maxMs.toFixed(2)} ms (goal p99 < ${result.goalP99Ms} ms: ${verdict})\n`,
    );
  } finally {
    await redis.stop();
  }
}
