/**
 * Round trips: commands the store executed per hit (and per miss that
 * stores), counted by the store itself — Redis `INFO commandstats`, Memcached
 * `stats` — before and after, in a fresh process per variant.
 */
import { get, sequentialGets, servedFromCache } from '../lib/load.mjs';
import { eachFreshServer, serverOptions, VARIANTS } from '../lib/server-process.mjs';
import { flushStores, memcachedStats, redisCommandCount } from '../lib/stores.mjs';

const HITS = 1000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Memcached counters that are one command each (a multi-get counts each key in cmd_get). */
const MEMCACHED_COUNTERS = [
  'cmd_get',
  'cmd_set',
  'cmd_touch',
  'cmd_flush',
  'delete_hits',
  'delete_misses',
  'incr_hits',
  'incr_misses',
  'decr_hits',
  'decr_misses',
];

async function storeCount(variant, stores) {
  if (VARIANTS[variant].needs.includes('redis')) {
    const { total, byCommand } = await redisCommandCount(stores.redis.client);
    return { total, detail: byCommand };
  }
  const stats = await memcachedStats(stores.memcached.port);
  const detail = Object.fromEntries(MEMCACHED_COUNTERS.map((name) => [name, stats[name] ?? 0]));
  return { total: Object.values(detail).reduce((a, b) => a + b, 0), detail };
}

function diff(before, after) {
  const changed = {};
  for (const [name, value] of Object.entries(after.detail)) {
    const delta = value - (before.detail[name] ?? 0);
    if (delta > 0) changed[name] = delta;
  }
  return changed;
}

export async function runRoundTrips(variants, ctx) {
  const results = [];
  await eachFreshServer(variants, serverOptions(ctx), async (server, variant, nextReady) => {
    await flushStores(ctx.stores, VARIANTS[variant].needs);
    const url = `${server.base}/small`;
    // Connections, script loading and the like happen before counting.
    await get(`${server.base}/big`);
    await sleep(100);
    await get(`${server.base}/big`);
    // The next variant's process may talk to the store as it starts up.
    await nextReady();

    let before = await storeCount(variant, ctx.stores);
    await get(url);
    await sleep(200);
    let after = await storeCount(variant, ctx.stores);
    const missCommands = after.total - before.total;
    const missDetail = diff(before, after);

    const check = await get(url);
    before = await storeCount(variant, ctx.stores);
    const statuses = await sequentialGets(url, HITS, 4);
    after = await storeCount(variant, ctx.stores);
    const hitDetail = Object.fromEntries(
      Object.entries(diff(before, after)).map(([name, count]) => [name, count / HITS]),
    );
    const perHit = (after.total - before.total) / HITS;
    results.push({
      variant,
      store: VARIANTS[variant].needs[0],
      hits: HITS,
      servedHit: servedFromCache(check.headers),
      ok: statuses[200] ?? 0,
      commandsPerHit: perHit,
      hitDetail,
      commandsPerMissAndStore: missCommands,
      missDetail,
    });
    ctx.log(
      `  round trips ${variant}: ${perHit} per hit ${JSON.stringify(hitDetail)}, ${missCommands} per miss+store`,
    );
  });
  return results;
}
