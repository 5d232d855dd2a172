/**
 * Hit throughput: each measurement is a fresh server process for one variant
 * and one route, a first request that fills the cache, a warm-up, a wait for
 * the machine to be idle, then `durationSec` of autocannon load. Comparisons
 * run in interleaved rounds (A B, then B A, …) and are reported as the median
 * of the per-round ratios, because one process differs from the next by more
 * than the effects measured.
 */
import { createHash } from 'node:crypto';
import { runLoad, get, servedFromCache } from './load.mjs';
import { processTicks, TICKS_PER_SECOND, watchOutsideLoad } from './machine.mjs';
import { serverOptions, startServer, VARIANTS } from './server-process.mjs';
import { median } from './stats.mjs';
import { flushStores } from './stores.mjs';

const sha = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The bytes every variant must send per route, from the servers' own payloads.
 * @param {string} serversDir
 */
export async function referenceBodies(serversDir) {
  const payloads = await import(`${serversDir}/payloads.js`);
  return {
    '/small': sha(JSON.stringify(payloads.small())),
    '/big': sha(JSON.stringify(payloads.big())),
    '/slow': sha(JSON.stringify(await payloads.slow())),
  };
}

/**
 * `count` of the rounds `0 … rounds - 1`, spread over the run: the first, the
 * last and evenly in between (one: the middle round).
 */
export function spreadRounds(rounds, count = rounds) {
  if (count >= rounds) return Array.from({ length: rounds }, (_, i) => i);
  if (count <= 1) return [Math.floor((rounds - 1) / 2)];
  return [
    ...new Set(
      Array.from({ length: count }, (_, i) => Math.round((i * (rounds - 1)) / (count - 1))),
    ),
  ];
}

/**
 * Which measurements to make, in order. Pairs (peer, cachex) are measured in
 * every round, or in the rounds their `rounds` lists, alternating which goes
 * first from one of its rounds to the next; companions (see COMPANIONS) in the
 * first and the last round of the pair they go beside, right after its cachex
 * member; singles once, in the middle round.
 * @param {{ rounds: number, pairs: Array<{ id: string, route: string, members: string[], rounds?: number[] }>, singles: string[][], companions?: object[] }} options
 */
export function planMeasurements({ rounds, pairs, singles, companions = [] }) {
  const plan = [];
  const middle = Math.floor((rounds - 1) / 2);
  for (let round = 0; round < rounds; round++) {
    for (const pair of pairs) {
      const own = pair.rounds ?? spreadRounds(rounds);
      const nth = own.indexOf(round);
      if (nth < 0) continue;
      const [first, second] = (nth % 2 === 0 ? pair.members : [...pair.members].reverse()).map(
        (variant) => ({ round, group: pair.id, variant, route: pair.route }),
      );
      // The pair's first and last rounds: as far apart as the run allows.
      const beside = (nth === 0 || nth === own.length - 1 ? companions : [])
        .filter((companion) => companion.beside === pair.id)
        .map(({ group, variant, route }) => ({ round, group, variant, route }));
      // With an odd number of rounds the cachex member is the second in these, so they follow it.
      plan.push(first, second, ...beside);
    }
    if (round === middle) {
      for (const [variant, route] of singles) {
        plan.push({ round, group: 'single', variant, route });
      }
    }
  }
  return plan;
}

/**
 * Starts the fresh server process of one measurement. It starts up on the
 * load core and then moves to the server core; `background` (beside the
 * warm-up of the measurement before) at the lowest priority, moved and
 * restored by `measure`, its first use.
 */
export function startFor(item, ctx, background = false) {
  return startServer(item.variant, { ...serverOptions(ctx), background });
}

/**
 * One measurement in a fresh server process (`starting`, the promise of
 * `startFor(item)`). While it warms up, `duringWarmUp()` may start the next
 * measurement's process: its start-up then overlaps this warm-up, never this
 * measurement, which waits until the promise it returns has settled.
 * @param {{ variant: string, route: string }} item
 */
export async function measure(item, ctx, starting, duringWarmUp = () => undefined) {
  const { variant, route } = item;
  const phasesMs = {};
  let mark = Date.now();
  const phase = (name) => {
    const now = Date.now();
    phasesMs[name] = now - mark;
    mark = now;
  };
  const server = await starting;
  // Started in the background: now its own core, at normal priority, before any load.
  server.settle();
  phase('start');
  try {
    await flushStores(ctx.stores, VARIANTS[variant].needs);
    const url = server.base + route;
    const first = await get(url);
    const nextStarting = duringWarmUp();
    // @nestjs/cache-manager stores after the response is sent.
    await sleep(50);
    phase('first');
    await runLoad({ url, connections: ctx.connections, durationSec: ctx.warmupSec });
    phase('warmUp');
    await nextStarting?.catch(() => undefined);
    phase('nextStart');
    const check = await get(url);
    const servedHit = servedFromCache(check.headers);
    // The miss that filled the cache and the hit measured send the same bytes as every variant.
    const bytesIdentical =
      sha(first.body) === ctx.reference[route] && sha(check.body) === ctx.reference[route];
    const name = route.slice(1);
    const runsBefore = (await server.runs())[name];
    phase('check');
    const idle = await ctx.idleGate();
    phase('idle');
    const watch = watchOutsideLoad();
    const ticksBefore = processTicks(server.pid);
    const durationSec = item.durationSec ?? ctx.durationSec;
    const load = await runLoad({ url, connections: ctx.connections, durationSec });
    const serverTicks = processTicks(server.pid) - ticksBefore;
    const outsideCores = watch.stop();
    phase('load');
    const after = await server.runs();
    if (!server.alive()) throw new Error(`${variant} died during the load:\n${server.stderr()}`);
    return {
      ...item,
      durationSec,
      ...load,
      // CPU the server process spent per request: unlike req/s, barely moved by
      // other processes taking turns on its core (undefined without /proc).
      cpuUsPerRequest:
        serverTicks > 0 ? (serverTicks * 1e6) / TICKS_PER_SECOND / load.requests : undefined,
      handlerRuns: after[name] - runsBefore,
      handlerRunsTotal: after[name],
      servedHit,
      bytesIdentical,
      status: first.status,
      serverStartMs: server.startMs,
      serverRssBytes: after.rssBytes,
      idleWaitMs: idle.waitedMs,
      idleBefore: idle.idle,
      outsideCoresBefore: round3(idle.outsideCores),
      outsideCoresDuring: round3(outsideCores),
      disturbed: outsideCores !== undefined && outsideCores > ctx.disturbedCores,
      phasesMs,
    };
  } finally {
    await server.stop();
  }
}

const round3 = (value) => (value === undefined ? undefined : Math.round(value * 1000) / 1000);

/** Per variant and route: median, min and max over its measurements. */
export function summarizeSeries(measurements) {
  const series = new Map();
  for (const m of measurements) {
    const key = `${m.variant} ${m.route}`;
    if (!series.has(key)) series.set(key, []);
    series.get(key).push(m);
  }
  // Express first, then Fastify, each in the order measured.
  const platforms = ['express', 'fastify'];
  const byPlatform = [...series.values()].sort(
    (a, b) =>
      platforms.indexOf(VARIANTS[a[0].variant]?.platform) -
      platforms.indexOf(VARIANTS[b[0].variant]?.platform),
  );
  return byPlatform.map((list) => {
    const rps = list.map((m) => m.reqPerSec);
    return {
      variant: list[0].variant,
      route: list[0].route,
      n: list.length,
      disturbed: list.filter((m) => m.disturbed).length,
      reqPerSec: median(rps),
      reqPerSecMin: Math.min(...rps),
      reqPerSecMax: Math.max(...rps),
      durationSec: median(list.map((m) => m.durationSec)),
      p50Ms: median(list.map((m) => m.p50Ms)),
      cpuUsPerRequest: median(list.map((m) => m.cpuUsPerRequest).filter((v) => v !== undefined)),
      p99Ms: median(list.map((m) => m.p99Ms)),
      errors: list.reduce((total, m) => total + m.errors, 0),
      handlerRuns: list.reduce((total, m) => total + m.handlerRuns, 0),
      handlerRunsTotal: list.reduce((total, m) => total + m.handlerRunsTotal, 0),
      requests: list.reduce((total, m) => total + m.requests, 0),
      servedHit: list.every((m) => m.servedHit),
      bytesIdentical: list.every((m) => m.bytesIdentical),
    };
  });
}

/**
 * The ratio `numerator / denominator` (req/s) in each round where both were
 * measured, with its median, min and max, and the median of the undisturbed rounds.
 */
export function roundRatios(measurements, numerator, denominator, group) {
  // A variant measured in two pairs of a round (cachex-memory /small): the pair's own measurement.
  const find = (round, [variant, route]) => {
    const same = (m) => m.round === round && m.variant === variant && m.route === route;
    return (
      measurements.find((m) => same(m) && m.group === group) ?? measurements.find((m) => same(m))
    );
  };
  const rounds = [...new Set(measurements.map((m) => m.round))].sort((a, b) => a - b);
  const perRound = [];
  for (const round of rounds) {
    const a = find(round, numerator);
    const b = find(round, denominator);
    if (!a || !b || !(b.reqPerSec > 0)) continue;
    perRound.push({
      round,
      ratio: a.reqPerSec / b.reqPerSec,
      // How many of b's requests the CPU of one of a's buys: > 1 when a is cheaper.
      cpuRatio:
        a.cpuUsPerRequest && b.cpuUsPerRequest ? b.cpuUsPerRequest / a.cpuUsPerRequest : undefined,
      disturbed: a.disturbed || b.disturbed,
    });
  }
  const ratios = perRound.map((r) => r.ratio);
  const clean = perRound.filter((r) => !r.disturbed).map((r) => r.ratio);
  const cpu = perRound.map((r) => r.cpuRatio).filter((r) => r !== undefined);
  return {
    numerator: numerator.join(' '),
    denominator: denominator.join(' '),
    perRound,
    median: median(ratios),
    min: ratios.length ? Math.min(...ratios) : undefined,
    max: ratios.length ? Math.max(...ratios) : undefined,
    cleanMedian: median(clean),
    cleanRounds: clean.length,
    cpuMedian: median(cpu),
    cpuMin: cpu.length ? Math.min(...cpu) : undefined,
    cpuMax: cpu.length ? Math.max(...cpu) : undefined,
  };
}
