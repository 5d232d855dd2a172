/**
 * `npm run chaos`: how the cache behaves when its backend fails under load.
 * For Redis and for Memcached, a fresh `cachex-redis` / `cachex-memcached`
 * server (Express, default breaker: 5 failures, 5000 ms) — and for two tiers
 * a `cachex-tiered-redis` one (its Redis is both the shared tier and the bus),
 * with `busLossMaxAgeMs` 15000 and with the default 1000 — is loaded on
 * `GET /slow` (20 ms handler) by autocannon (20 connections, loopback) while
 * its store, started for the scenario on a free loopback port, is
 *   pause: stopped with SIGSTOP for 10 s, then SIGCONT;
 *   kill:  killed with SIGKILL, restarted on the same port 10 s later.
 * Every response is timed and put in the window it started in (before, the
 * outage, after the store's return); handler runs per window come from
 * `GET /__runs`; once the store is back, `GET /slow` is polled until its
 * `Cache-Status` says `hit`. Writes test/bench/results/chaos.json.
 *
 * Environment:
 *   CHAOS_ONLY   comma-separated scenarios, e.g. redis-pause,tiered-kill (default all six)
 *   CHAOS_OUTAGE_SEC  seconds the store is away (default 10)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { hasBinary, startMemcached, startRedis } from '../setup/servers.mjs';
import { benchDir, buildAll } from './lib/build.mjs';
import { get, runLoad, servedFromCache } from './lib/load.mjs';
import { CORES, describeMachine, ownPids, pin, watchOutsideLoad } from './lib/machine.mjs';
import { startServer, stopAllServers } from './lib/server-process.mjs';
import { log, started } from './lib/progress.mjs';
import { nearestRank } from './lib/stats.mjs';

const CONNECTIONS = 20;
const BEFORE_SEC = 3;
const OUTAGE_SEC =
  Number(process.env.CHAOS_OUTAGE_SEC) > 0 ? Number(process.env.CHAOS_OUTAGE_SEC) : 10;
const AFTER_SEC = 8;
/** Longest wait for hits after the store's return (the poll outlives the load if need be). */
const HITS_BACK_LIMIT_MS = 15_000;
const ROUTE = '/slow';
const HANDLER_MS = 20;
const GOALS = { maxOutageRuns: 900, p99Factor: 3, handlerBudgetMs: 60 };
const LOAD_CORE = 0;
const SERVER_CORE = CORES >= 2 ? 1 : 0;

const SCENARIOS = [
  { id: 'redis-pause', store: 'redis', fault: 'pause' },
  { id: 'redis-kill', store: 'redis', fault: 'kill' },
  { id: 'memcached-pause', store: 'memcached', fault: 'pause' },
  { id: 'memcached-kill', store: 'memcached', fault: 'kill' },
  // Issue 16: a hot key fresh in the local tier while Redis (shared tier and bus) is gone.
  {
    id: 'tiered-kill',
    store: 'redis',
    fault: 'kill',
    variant: 'cachex-tiered-redis',
    busLossMs: 15_000,
  },
  { id: 'tiered-kill-default', store: 'redis', fault: 'kill', variant: 'cachex-tiered-redis' },
];
/** TieredBackend's default `busLossMaxAgeMs`. */
const DEFAULT_BUS_LOSS_MS = 1000;
const BINARY = { redis: 'redis-server', memcached: 'memcached' };
const START = { redis: startRedis, memcached: startMemcached };

/** Store processes alive now, killed on an interrupt. */
const storeHandles = new Set();
async function startStore(store, port) {
  const handle = await START[store](port);
  storeHandles.add(handle);
  ownPids.add(handle.process.pid);
  pin(handle.process.pid, LOAD_CORE);
  return handle;
}
async function stopStore(handle) {
  storeHandles.delete(handle);
  ownPids.delete(handle.process.pid);
  await handle.stop();
}

/** Polls `url` until a response says `hit`; resolves to the ms it took, or undefined past the limit. */
async function waitForHit(url, from, agent) {
  for (;;) {
    const elapsed = Date.now() - from;
    if (elapsed > HITS_BACK_LIMIT_MS) return undefined;
    try {
      const { headers } = await get(url, { agent });
      if (servedFromCache(headers)) return Date.now() - from;
    } catch {
      // counted by nothing: the load's own errors are what the goals look at
    }
    await sleep(20);
  }
}

async function runScenario(scenario, serversDir) {
  const { store, fault } = scenario;
  let handle = await startStore(store);
  const port = handle.port;
  const server = await startServer(scenario.variant ?? `cachex-${store}`, {
    serversDir,
    core: SERVER_CORE,
    bootCore: SERVER_CORE,
    ...(store === 'redis' ? { redisPort: port } : { memcachedPort: port }),
    ...(scenario.busLossMs && { env: { BENCH_BUS_LOSS_MS: String(scenario.busLossMs) } }),
  });
  const url = `${server.base}${ROUTE}`;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    // Warm-up: fills the cache and the JIT.
    await runLoad({ url, connections: 10, durationSec: 1 });
    const warm = await get(url, { agent });
    if (!servedFromCache(warm.headers)) {
      throw new Error(`no hit after the warm-up: Cache-Status ${warm.headers['cache-status']}`);
    }

    const responses = []; // [startMs, latencyMs, status]
    const errors = []; // [atMs, message]
    const outside = watchOutsideLoad();
    const runsAt = { start: (await server.runs()).slow };
    const loadStart = Date.now();
    let finished;
    const done = new Promise((resolve, reject) => {
      finished = (error, result) => (error ? reject(error) : resolve(result));
    });
    const instance = autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: BEFORE_SEC + OUTAGE_SEC + AFTER_SEC - 0.05,
        pipelining: 1,
      },
      (error, result) => finished(error, result),
    );
    instance.on('response', (_client, status, _bytes, latencyMs) => {
      const now = Date.now();
      responses.push([now - latencyMs, latencyMs, status]);
    });
    instance.on('reqError', (error) => errors.push([Date.now(), String(error?.message ?? error)]));

    await sleep(BEFORE_SEC * 1000);
    runsAt.fault = (await server.runs()).slow;
    const faultAt = Date.now();
    if (fault === 'pause') {
      handle.process.kill('SIGSTOP');
    } else {
      const exited = new Promise((resolve) => handle.process.once('exit', resolve));
      handle.process.kill('SIGKILL');
      await exited;
      await stopStore(handle); // removes its directory
    }
    await sleep(Math.max(0, faultAt + OUTAGE_SEC * 1000 - Date.now()));
    if (fault === 'pause') handle.process.kill('SIGCONT');
    else handle = await startStore(store, port);
    const backAt = Date.now();
    runsAt.back = (await server.runs()).slow;
    const hitsBackMs = await waitForHit(url, backAt, agent);
    const result = await done;
    const loadEnd = Date.now();
    runsAt.end = (await server.runs()).slow;
    const outsideCores = outside.stop();

    const windows = [
      { name: 'before', from: loadStart, to: faultAt, runs: runsAt.fault - runsAt.start },
      { name: 'outage', from: faultAt, to: backAt, runs: runsAt.back - runsAt.fault },
      { name: 'after', from: backAt, to: loadEnd, runs: runsAt.end - runsAt.back },
    ].map((w) => {
      const inside = responses.filter(([t]) => t >= w.from && t < w.to);
      const latencies = inside.map(([, l]) => Math.round(l * 10) / 10).sort((a, b) => a - b);
      return {
        window: w.name,
        seconds: Number(((w.to - w.from) / 1000).toFixed(2)),
        requests: inside.length,
        non2xx: inside.filter(([, , s]) => s < 200 || s > 299).length,
        errors: errors.filter(([t]) => t >= w.from && t < w.to).length,
        p50Ms: nearestRank(latencies, 0.5) ?? 0,
        p99Ms: nearestRank(latencies, 0.99) ?? 0,
        maxMs: latencies.at(-1) ?? 0,
        handlerRuns: w.runs,
      };
    });
    const errorKinds = {};
    for (const [, message] of errors) errorKinds[message] = (errorKinds[message] ?? 0) + 1;
    return {
      ...scenario,
      outageSec: Number(((backAt - faultAt) / 1000).toFixed(2)),
      windows,
      totals: {
        requests: responses.length,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        errorKinds,
      },
      hitsBackMs,
      outsideCores,
      serverAlive: server.alive(),
      serverStderrTail: server.stderr().slice(-1500),
    };
  } finally {
    agent.destroy();
    await server.stop();
    if (fault === 'pause') handle.process.kill('SIGCONT');
    if (storeHandles.has(handle)) await stopStore(handle);
  }
}

function evaluate(s) {
  const outage = s.windows.find((w) => w.window === 'outage');
  const p99Limit = GOALS.p99Factor * HANDLER_MS;
  const noFailures = {
    goal: '0 non-2xx and 0 errors (whole load)',
    value: `${s.totals.non2xx} non-2xx, ${s.totals.errors} errors`,
    met: s.totals.non2xx === 0 && s.totals.errors === 0,
  };
  if (s.variant === 'cachex-tiered-redis') {
    // Fresh in the local tier: served from it while the bus is lost for less than
    // busLossMaxAgeMs; past that, one fill per key per busLossMaxAgeMs at most.
    const busLossMs = s.busLossMs ?? DEFAULT_BUS_LOSS_MS;
    const maxRuns = busLossMs > OUTAGE_SEC * 1000 ? 0 : Math.ceil((OUTAGE_SEC * 1000) / busLossMs);
    return [
      noFailures,
      {
        goal: `handler runs during the ${OUTAGE_SEC} s outage ≤ ${maxRuns} (busLossMaxAgeMs ${busLossMs})`,
        value: String(outage.handlerRuns),
        met: outage.handlerRuns <= maxRuns,
      },
    ];
  }
  return [
    noFailures,
    {
      goal: `handler runs during the ${OUTAGE_SEC} s outage ≤ ${GOALS.maxOutageRuns}`,
      value: String(outage.handlerRuns),
      met: outage.handlerRuns <= GOALS.maxOutageRuns,
    },
    {
      goal: `p99 during the outage < ${GOALS.p99Factor} × the handler's ${HANDLER_MS} ms (${p99Limit} ms)`,
      value: `${outage.p99Ms} ms`,
      met: outage.p99Ms < p99Limit,
    },
  ];
}

function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

function render(results) {
  const parts = [];
  for (const s of results.scenarios) {
    if (s.failed) {
      parts.push(`### ${s.id}\n\nfailed: ${s.failed}`);
      continue;
    }
    const what =
      s.fault === 'pause'
        ? `${s.store} paused (SIGSTOP) for ${s.outageSec} s, then SIGCONT`
        : `${s.store} killed (SIGKILL), restarted on its port ${s.outageSec} s later`;
    parts.push(
      `### ${s.id}: ${what}\n\n` +
        table(
          [
            'window',
            's',
            'requests',
            'non-2xx',
            'socket errors',
            'p50 ms',
            'p99 ms',
            'max ms',
            'handler runs',
          ],
          s.windows.map((w) => [
            w.window,
            w.seconds,
            w.requests,
            w.non2xx,
            w.errors,
            w.p50Ms,
            w.p99Ms,
            w.maxMs,
            w.handlerRuns,
          ]),
        ) +
        `\n\nHits back ${s.hitsBackMs === undefined ? `not within ${HITS_BACK_LIMIT_MS} ms` : `${s.hitsBackMs} ms`} after the store's return. ` +
        `Whole load: ${s.totals.requests} responses, ${s.totals.non2xx} non-2xx, ${s.totals.errors} errors` +
        `${
          Object.keys(s.totals.errorKinds).length
            ? ` (${Object.entries(s.totals.errorKinds)
                .map(([k, n]) => `${n}× ${k}`)
                .join(', ')})`
            : ''
        }; ` +
        `outside load ${s.outsideCores ?? '?'} cores.`,
    );
  }
  const goalRows = results.scenarios
    .filter((s) => s.goals)
    .flatMap((s) => s.goals.map((g) => [s.id, g.goal, g.value, g.met ? 'met' : '**not met**']));
  parts.push(`### Goals\n\n${table(['scenario', 'goal', 'value', 'verdict'], goalRows)}`);
  return parts.join('\n\n');
}

const interrupted = async () => {
  stopAllServers();
  for (const handle of storeHandles) {
    handle.process.kill('SIGCONT');
    await handle.stop().catch(() => {});
  }
  process.exit(130);
};
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);

async function main() {
  const machine = describeMachine();
  pin(process.pid, LOAD_CORE);
  log(`nestjs-cachex chaos — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  log(
    `  GET ${ROUTE} (${HANDLER_MS} ms handler), ${CONNECTIONS} connections, ${BEFORE_SEC} s before + ${OUTAGE_SEC} s outage + ${AFTER_SEC} s after`,
  );
  const build = buildAll(log);
  log(`  build: ${build.rebuilt.length ? `rebuilt ${build.rebuilt.join(' and ')}` : 'up to date'}`);
  const serversDir = join(benchDir, 'dist/servers');
  const only = process.env.CHAOS_ONLY?.split(',').map((id) => id.trim());
  const results = {
    startedAt: new Date(started).toISOString(),
    command: 'npm run chaos',
    config: {
      route: ROUTE,
      handlerMs: HANDLER_MS,
      connections: CONNECTIONS,
      beforeSec: BEFORE_SEC,
      outageSec: OUTAGE_SEC,
      afterSec: AFTER_SEC,
      breaker: 'library defaults (backendBreakerFailures 5, backendBreakerMs 5000)',
      serverCore: SERVER_CORE,
      loadCore: LOAD_CORE,
    },
    machine,
    scenarios: [],
  };
  for (const scenario of SCENARIOS) {
    if (only && !only.includes(scenario.id)) continue;
    if (!(await hasBinary(BINARY[scenario.store]))) {
      log(`! ${scenario.id}: ${BINARY[scenario.store]} not installed, skipped`);
      results.scenarios.push({ ...scenario, failed: `${BINARY[scenario.store]} not installed` });
      continue;
    }
    log(`${scenario.id} …`);
    try {
      const s = await runScenario(scenario, serversDir);
      s.goals = evaluate(s);
      results.scenarios.push(s);
      const outage = s.windows[1];
      log(
        `  outage: ${outage.requests} requests, p99 ${outage.p99Ms} ms, max ${outage.maxMs} ms, ` +
          `${outage.handlerRuns} handler runs; hits back after ${s.hitsBackMs ?? '—'} ms; ` +
          `${s.totals.non2xx} non-2xx, ${s.totals.errors} errors`,
      );
    } catch (error) {
      log(`! ${scenario.id} failed: ${error.stack ?? error}`);
      results.scenarios.push({ ...scenario, failed: String(error.message ?? error) });
      process.exitCode = 1;
    }
  }
  results.elapsedSec = (Date.now() - started) / 1000;
  const markdown = render(results);
  const resultsDir = join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'chaos.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${markdown}\n\n`);
  log(`Written: test/bench/results/chaos.json (${Math.round(results.elapsedSec)} s)`);
}

main().catch(async (error) => {
  log(error.stack ?? String(error));
  await interrupted();
});
