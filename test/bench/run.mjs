/**
 * `npm run bench`: nestjs-cachex beside the peers a NestJS user would
 * otherwise pick, on this machine, in one run, with the goals of issue 6 as
 * ratios. Builds what it needs, starts Redis and Memcached on free loopback
 * ports, and writes test/bench/results/latest.md and latest.json.
 *
 * Environment:
 *   BENCH_DURATION     seconds of load per measurement (default 10)
 *   BENCH_ROUNDS       interleaved rounds of each cachex-vs-peer pair (default 5)
 *   BENCH_FASTIFY_ROUNDS  how many of those rounds the Fastify and two-tier pairs run in, spread over the
 *                      run: the first, the last and evenly between (default 3)
 *   BENCH_CONNECTIONS  autocannon connections (default 50)
 *   BENCH_WARMUP       seconds of warm-up load before each measurement (default 1; 0.5 below 5 s)
 *   BENCH_ONLY         comma-separated parts to run: throughput, stampede, roundtrips, compression,
 *                      propagation, adminpage, memory, clearpath, sessions (sessions.mjs, run last in
 *                      its own process: see its own variables)
 *   BENCH_LIBRARY_DIR  a nestjs-cachex package directory to measure instead of packages/nestjs-cachex
 *   BENCH_IDLE_CORES   outside load (in cores) under which the machine counts as idle (default 0.2)
 *   BENCH_DISTURBED_CORES  outside load during a measurement that marks it disturbed (default 0.25)
 *   BENCH_IDLE_WAIT_MS     longest wait for idle before one measurement (default 2000)
 *   BENCH_IDLE_BUDGET_MS   longest total wait for idle in the run (default 15000)
 *   BENCH_BUDGET_SEC   the run's time budget (default 870): the single measurements are shortened
 *                      (to 3 s at least) or skipped, least important first, to stay within it;
 *                      the pairs always run in full
 *   BENCH_EXTRA=1      also measure cachex-memcached /big and the /slow of the other variants
 *   BENCH_PAIRS        comma-separated pairs to measure (default all: memory-small, memory-big,
 *                      metrics-small: cachex-memory /small beside cachex-memory-nometrics,
 *                      redis-small, redis-big, bare-small: cachex-memory /small beside bare Express,
 *                      fastify-memory-small, fastify-memory-big, fastify-nocache-small,
 *                      fastify-bare-small; 'express' or 'fastify': those of one platform)
 *   BENCH_SINGLES      comma-separated variant:route singles instead of the default ones ('none': none)
 *
 * Quick smoke run: BENCH_DURATION=2 BENCH_ROUNDS=2 npm run bench
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, buildAll, root } from './lib/build.mjs';
import { describeMachine, idleGate, pin, quietSettings } from './lib/machine.mjs';
import { COMPANIONS, evaluateGoals, pairRatios, PAIRS, renderMarkdown } from './lib/report.mjs';
import { stopAllServers, VARIANTS } from './lib/server-process.mjs';
import { flushStores, startStores, stopStores } from './lib/stores.mjs';
import {
  measure,
  planMeasurements,
  referenceBodies,
  startFor,
  spreadRounds,
  summarizeSeries,
} from './lib/throughput.mjs';
import { runAdminPage } from './scenarios/admin-page.mjs';
import { runCompressed } from './scenarios/compressed.mjs';
import { runTieredPropagation } from './scenarios/tiered-propagation.mjs';
import { runClearPath } from './scenarios/clear-path.mjs';
import { runMemoryBound } from './scenarios/memory-bound.mjs';
import { runRoundTrips } from './scenarios/redis-commands.mjs';
import { runStampede } from './scenarios/stampede.mjs';
import { envNumber, log, started } from './lib/progress.mjs';

const durationSec = envNumber('BENCH_DURATION', 10);
const config = {
  durationSec,
  rounds: Math.max(1, Math.round(envNumber('BENCH_ROUNDS', 5))),
  fastifyRounds: Math.max(1, Math.round(envNumber('BENCH_FASTIFY_ROUNDS', 3))),
  connections: Math.round(envNumber('BENCH_CONNECTIONS', 50)),
  warmupSec: envNumber('BENCH_WARMUP', durationSec >= 5 ? 1 : 0.5),
  extra: process.env.BENCH_EXTRA === '1',
  pairs: process.env.BENCH_PAIRS?.split(',').map((id) => id.trim()),
  singles:
    process.env.BENCH_SINGLES === 'none'
      ? []
      : process.env.BENCH_SINGLES?.split(',').map((single) => single.trim().split(':')),
  ...quietSettings(),
  budgetSec: envNumber('BENCH_BUDGET_SEC', 870),
  only: (
    process.env.BENCH_ONLY ??
    'throughput,stampede,roundtrips,compression,propagation,adminpage,memory,clearpath,sessions'
  )
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean),
};
const runs = (part) => config.only.includes(part);

/**
 * Measured once each, in the middle round, beside the pairs of PAIRS; most
 * important first (the time budget drops them from the end).
 */
const SINGLES = [
  ['nest-nocache', '/small'],
  ['nest-nocache', '/big'],
  ['nest-fastify-nocache', '/big'],
  ['cachex-memcached', '/small'],
  ['cachex-fastify-redis', '/small'],
  ['cachex-fastify-redis', '/big'],
];
const EXTRA_SINGLES = [
  ['cachex-memcached', '/big'],
  ['cachex-redis', '/slow'],
  ['cache-manager-memory', '/slow'],
  ['nest-nocache', '/slow'],
];
/** Shortest load of a single measurement shortened to fit the budget. */
const MIN_SINGLE_SEC = 3;
/** Seconds kept for what follows the throughput part (clearPath and memory bound, in parallel). */
const AFTER_THROUGHPUT_SEC = 35;
/** Seconds kept for the admin page part (a server filled with 100 000 entries, 60 loads). */
const ADMIN_PAGE_SEC = 15;

function gitDescribe() {
  const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  try {
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      dirty: git('status', '--porcelain', '--', 'packages/nestjs-cachex/src') !== '',
    };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

let stores;
const interrupted = async () => {
  stopAllServers();
  if (stores) await stopStores(stores).catch(() => {});
  process.exit(130);
};
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);

async function main() {
  const machine = describeMachine();
  pin(process.pid, config.loadCore);
  log(`nestjs-cachex benchmark — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  log(
    `  ${config.durationSec} s per measurement, ${config.rounds} rounds, ${config.connections} connections, ` +
      `${machine.taskset ? `server on core ${config.serverCore}, load on core ${config.loadCore}` : 'no taskset: unpinned'}`,
  );

  const build = buildAll(log);
  log(
    `  build: ${build.rebuilt.length ? `rebuilt ${build.rebuilt.join(' and ')}` : 'up to date'} (${build.seconds.toFixed(1)} s)`,
  );
  const serversDir = join(benchDir, 'dist/servers');
  const library = {
    dir: build.libraryDir,
    hash: build.libraryHash,
    ...(process.env.BENCH_LIBRARY_DIR
      ? { commit: `BENCH_LIBRARY_DIR=${build.libraryDir}`, dirty: false }
      : gitDescribe()),
  };

  stores = await startStores({ core: config.loadCore, log });
  const available = (variant) =>
    VARIANTS[variant].needs.every((store) => stores[store] !== undefined);
  const skipped = stores.missing.map((binary) => `variants needing ${binary} (not installed)`);

  const ctx = {
    ...config,
    serversDir,
    stores,
    log,
    reference: await referenceBodies(serversDir),
    idleGate: idleGate(config),
  };
  const results = {
    startedAt: new Date(started).toISOString(),
    command: 'npm run bench',
    config,
    machine,
    library,
    skipped,
    failures: [],
  };
  const attempt = async (name, fn) => {
    try {
      return await fn();
    } catch (error) {
      log(`! ${name} failed: ${error.stack ?? error}`);
      results.failures.push({ part: name, error: String(error.message ?? error) });
      return undefined;
    }
  };

  const cachedVariants = Object.keys(VARIANTS).filter(
    (v) => !VARIANTS[v].bare && !VARIANTS[v].scenario && available(v),
  );
  if (runs('stampede')) {
    log('stampede: 100 concurrent requests to a cold /slow');
    results.stampede = await attempt('stampede', () => runStampede(cachedVariants, ctx));
  }
  if (runs('roundtrips')) {
    const networked = cachedVariants.filter((v) => VARIANTS[v].needs.length > 0);
    if (networked.length) {
      log('round trips: store commands per hit');
      results.roundTrips = await attempt('roundtrips', () => runRoundTrips(networked, ctx));
    }
  }

  if (runs('throughput')) {
    const platformOf = (pair) => VARIANTS[pair.members[1]].platform;
    const selected = PAIRS.filter(
      (pair) =>
        pair.members.every(available) &&
        (!config.pairs ||
          config.pairs.includes(pair.id) ||
          config.pairs.includes(platformOf(pair))),
    );
    const companions = COMPANIONS.filter((companion) =>
      selected.some((pair) => pair.id === companion.beside),
    );
    // A pair whose companion runs is measured through it.
    const fastifyRounds = spreadRounds(config.rounds, config.fastifyRounds);
    const pairs = selected
      .filter((pair) => !companions.some((companion) => companion.group === pair.id))
      .map((pair) =>
        platformOf(pair) === 'fastify' || pair.spread ? { ...pair, rounds: fastifyRounds } : pair,
      );
    const singles = (config.singles ?? [...SINGLES, ...(config.extra ? EXTRA_SINGLES : [])]).filter(
      ([variant, route]) => {
        if (!VARIANTS[variant] || !['/small', '/big', '/slow'].includes(route)) {
          throw new Error(`BENCH_SINGLES: unknown variant:route '${variant}:${route}'`);
        }
        return available(variant);
      },
    );
    const plan = planMeasurements({ rounds: config.rounds, pairs, singles, companions });
    const perMeasurement = config.durationSec + config.warmupSec + 0.8;
    log(
      `throughput: ${plan.length} measurements, about ${Math.round((plan.length * perMeasurement) / 60)} min`,
    );
    const queue = [...plan];
    const spentSec = [];
    let singlesFitted = false;
    /**
     * Fits the singles into what the budget leaves once the pairs are done:
     * at full duration if they fit, else shortened (not below MIN_SINGLE_SEC),
     * else the least important are dropped — never nest-nocache, whose ratios
     * the report must have (kept at MIN_SINGLE_SEC, some seconds past the
     * budget if need be). Decided once, from the time the pairs took so far.
     */
    const fitSingles = () => {
      singlesFitted = true;
      const singles = queue.filter((item) => item.group === 'single');
      const average = spentSec.reduce((a, b) => a + b, 0) / spentSec.length;
      const overhead = Math.max(0, average - config.durationSec);
      const pairsLeft = queue.length - singles.length;
      const elapsed = (Date.now() - started) / 1000;
      const reserve =
        (runs('clearpath') || runs('memory') ? AFTER_THROUGHPUT_SEC : 5) +
        (runs('adminpage') ? ADMIN_PAGE_SEC : 0);
      // "+ 1": the measurement warming up now.
      const available = config.budgetSec - elapsed - reserve - (pairsLeft + 1) * average;
      let kept = singles.length;
      while (kept > 0 && available < kept * (MIN_SINGLE_SEC + overhead)) kept--;
      const required = singles.filter((single) => single.variant === 'nest-nocache').length;
      // SINGLES lists nest-nocache first: keeping `required` keeps them.
      kept = Math.max(kept, required);
      const seconds = Math.max(
        MIN_SINGLE_SEC,
        Math.min(
          config.durationSec,
          Math.floor(2 * (available / Math.max(1, kept) - overhead)) / 2,
        ),
      );
      for (const item of singles.slice(0, kept)) {
        if (seconds < config.durationSec) item.durationSec = seconds;
      }
      if (kept > 0 && seconds < config.durationSec) {
        log(
          `  singles shortened to ${seconds} s each to stay within the ${config.budgetSec} s budget`,
        );
      }
      for (const item of singles.slice(kept)) {
        queue.splice(queue.indexOf(item), 1);
        skipped.push(`${item.variant} ${item.route} (over the ${config.budgetSec} s budget)`);
        log(
          `  skipping ${item.variant} ${item.route}: it would overrun the ${config.budgetSec} s budget`,
        );
      }
    };
    /** The next measurement; the singles are fitted into the budget when the first one comes up. */
    const takeNext = () => {
      if (!singlesFitted && queue[0]?.group === 'single' && spentSec.length > 0) fitSingles();
      return queue.shift();
    };
    const measurements = [];
    let done = 0;
    let prestarted;
    let item = takeNext();
    while (item) {
      const current = item;
      const starting = prestarted?.item === current ? prestarted.promise : startFor(current, ctx);
      prestarted = undefined;
      let next;
      const began = Date.now();
      const m = await attempt(`${current.variant} ${current.route}`, () =>
        measure(current, ctx, starting, () => {
          next = takeNext();
          if (!next) return undefined;
          // In the background: lowest priority, on the load core, while this warm-up runs;
          // returned, so this measurement's load waits until it has started.
          const promise = startFor(next, ctx, true);
          promise.catch(() => undefined); // reported when its measurement awaits it
          prestarted = { item: next, promise };
          return promise;
        }),
      );
      const spent = (Date.now() - began) / 1000;
      if (current.group !== 'single') spentSec.push(spent);
      done++;
      item = next ?? takeNext();
      if (!m) continue;
      m.spentSec = spent;
      measurements.push(m);
      log(
        `  [${done}/${done + queue.length + (item ? 1 : 0)}] round ${current.round + 1} ${current.variant.padEnd(20)} ${current.route.padEnd(6)} ` +
          `${Math.round(m.reqPerSec).toLocaleString('en-US').padStart(7)} req/s  p50 ${m.p50Ms} ms  p99 ${m.p99Ms} ms  ` +
          `errors ${m.errors}  runs ${m.handlerRuns}  ` +
          `(idle wait ${(m.idleWaitMs / 1000).toFixed(1)} s, outside load ${m.outsideCoresDuring ?? '?'} cores${m.disturbed ? ', DISTURBED' : ''})`,
      );
    }
    results.throughput = {
      measurements,
      series: summarizeSeries(measurements),
      ratios: pairRatios(measurements),
      idleWaitTotalMs: ctx.idleGate.spentMs(),
    };
  }

  if (runs('compression')) {
    log('compression: /big hits with Accept-Encoding: gzip, br, behind the compression middleware');
    const compressed = await attempt('compression', () =>
      runCompressed(ctx, Math.min(config.rounds, config.fastifyRounds)),
    );
    if (compressed) results.compression = compressed;
  }

  if (runs('propagation') && stores.redis) {
    log(
      'propagation: 1 000 clearPath calls on one TieredBackend, seen by another on the same Redis',
    );
    const p = await attempt('propagation', () => runTieredPropagation({ port: stores.redis.port }));
    if (p) {
      results.propagation = p;
      log(`  propagation: p50 ${p.p50Ms.toFixed(2)} ms, p99 ${p.p99Ms.toFixed(2)} ms`);
    }
  }

  if (runs('adminpage')) {
    log('admin page: GET /cachex with 100 000 entries in a MemoryBackend');
    results.adminPage = await attempt('admin page', () => runAdminPage(ctx));
    if (results.adminPage) {
      const a = results.adminPage;
      log(
        `  admin page: median ${a.medianMs.toFixed(1)} ms, p90 ${a.p90Ms.toFixed(1)} ms, max ${a.maxMs.toFixed(1)} ms, first ${a.firstMs.toFixed(1)} ms (${a.loads} loads, ${a.keysListed} keys listed, server up in ${a.startMs} ms)`,
      );
    }
  }

  // clearPath (its child, Redis and Memcached on the load core) and the memory
  // bound (its child on the server core) time different things on different
  // cores: they run side by side.
  const clearPathPart = async () => {
    log("clearPath: one path's 10 entries among 0 / 10 000 / 100 000 others");
    const cases = [{ backend: 'memory', counts: [0, 10_000, 100_000], reps: 200 }];
    if (stores.redis) {
      cases.push({
        backend: 'redis',
        port: stores.redis.port,
        counts: [0, 10_000, 100_000],
        reps: 30,
      });
    }
    // Memcached's clearPath bumps one generation; 100 000 fills take too long to be worth it.
    if (stores.memcached) {
      cases.push({
        backend: 'memcached',
        port: stores.memcached.port,
        counts: [0, 10_000],
        reps: 30,
      });
    }
    results.clearPath = [];
    for (const c of cases) {
      const measured = await attempt(`clearPath ${c.backend}`, () => runClearPath(c));
      if (measured) {
        results.clearPath.push(measured);
        log(
          `  clearPath ${c.backend}: ${measured.results.map((r) => `${r.medianMs.toFixed(3)} ms @ ${r.others}`).join(', ')}`,
        );
      }
    }
    if (stores.redis) await flushStores(stores, ['redis']);
  };
  const memoryPart = async () => {
    log('memory bound: 1 000 000 keys × 1 KB through MemoryBackend (maxBytes 64 MiB)');
    results.memoryBound = await attempt('memory bound', () =>
      runMemoryBound({ core: config.serverCore }),
    );
    if (results.memoryBound) {
      const m = results.memoryBound;
      log(
        `  memory bound: peak RSS ${Math.round(m.peakRssBytes / 2 ** 20)} MiB (baseline ${Math.round(m.baselineRssBytes / 2 ** 20)} MiB), ${m.entriesKept} entries kept`,
      );
    }
  };
  await Promise.all([
    runs('clearpath') ? clearPathPart() : undefined,
    runs('memory') ? memoryPart() : undefined,
  ]);

  await stopStores(stores);
  results.finishedAt = new Date().toISOString();
  results.elapsedSec = (Date.now() - started) / 1000;
  results.goals = evaluateGoals(results);
  const markdown = renderMarkdown(results);

  const resultsDir = join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'latest.md'), `${markdown}\n`);
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  writeFileSync(join(resultsDir, `${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${markdown}\n\n`);
  log(`Written: test/bench/results/latest.md, latest.json (${Math.round(results.elapsedSec)} s)`);
  if (results.failures.length) {
    log(
      `${results.failures.length} part(s) failed: ${results.failures.map((f) => f.part).join(', ')}`,
    );
    process.exitCode = 1;
  }
  if (runs('sessions')) sessionsPart();
}

/**
 * The session scenarios (issue 20): `sessions.mjs` in its own process, after
 * everything above has stopped, with the same environment; it writes
 * results/sessions.md and sessions.json.
 */
function sessionsPart() {
  log('sessions: node test/bench/sessions.mjs …');
  try {
    execFileSync(process.execPath, [join(benchDir, 'sessions.mjs')], { stdio: 'inherit' });
  } catch {
    log('sessions: failed (see above)');
    process.exitCode = 1;
  }
}

main().catch(async (error) => {
  log(error.stack ?? String(error));
  stopAllServers();
  if (stores) await stopStores(stores).catch(() => {});
  process.exit(1);
});
