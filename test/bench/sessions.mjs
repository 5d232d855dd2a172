/**
 * `npm run bench:sessions` (issue #20; also the last part of `npm run bench`):
 * a guarded `GET /me` answering the session's user, each request carrying a
 * valid session, Nest 12, 50 connections. On Express, nestjs-cachex's
 * SessionModule (Redis simple tokens by cookie and by header, Memory, JWT on
 * Redis) beside express-session with connect-redis and with its MemoryStore,
 * and the same Nest app without sessions; on Fastify, SessionModule on Redis
 * beside @fastify/session with connect-redis and the app without sessions.
 * `cachex-session-open` is the SessionModule app's unguarded `GET /open`,
 * which answers what the app without sessions answers on `/me`: what the
 * modules' global interceptors cost a route they have nothing to do on. Every variant runs in every round, in a fresh process, the order
 * reversed from one round to the next (A B … / … B A); the goals are medians
 * of same-round ratios. Uses the main bench's build, machine, server-process
 * and store helpers; writes test/bench/results/sessions.json.
 *
 * One session per measurement, created before the load (`GET /login` on the
 * fresh server) and shared by every connection; its ttl (a day for
 * SessionModule, connect-redis's default day for express-session) keeps any
 * renewal out of the run.
 *
 * Environment: BENCH_DURATION (default 5), BENCH_ROUNDS (default 3),
 * BENCH_CONNECTIONS (50), BENCH_WARMUP (1), BENCH_IDLE_CORES (0.2),
 * BENCH_DISTURBED_CORES (0.25), BENCH_IDLE_WAIT_MS (2000), BENCH_IDLE_BUDGET_MS (15000).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, buildAll } from './lib/build.mjs';
import {
  describeMachine,
  idleGate,
  pin,
  processTicks,
  quietSettings,
  TICKS_PER_SECOND,
  watchOutsideLoad,
} from './lib/machine.mjs';
import { serverOptions, startServer, stopAllServers, VARIANTS } from './lib/server-process.mjs';
import { flushStores, redisCommandCount, startStores, stopStores } from './lib/stores.mjs';
import { times } from './lib/report.mjs';
import { median } from './lib/stats.mjs';
import { roundRatios } from './lib/throughput.mjs';
import { envNumber, log, started } from './lib/progress.mjs';
import { get, runLoad } from './lib/load.mjs';

const config = {
  durationSec: envNumber('BENCH_DURATION', 5),
  rounds: Math.max(1, Math.round(envNumber('BENCH_ROUNDS', 3))),
  connections: Math.round(envNumber('BENCH_CONNECTIONS', 50)),
  warmupSec: envNumber('BENCH_WARMUP', 1),
  ...quietSettings(),
};
/** The route measured, unless a variant names its own. */
const ROUTE = '/me';
const EXPECTED_BODY = JSON.stringify({ user: { id: 'u1', username: 'ada' } });

/**
 * The session variants, added to the harness's VARIANTS so that its
 * startServer() runs them. `transport`: how the load sends the session.
 */
const SESSION_VARIANTS = {
  'nest-nosession': { entry: 'session-none.server.js', transport: 'none', needs: [] },
  'express-session-redis': {
    entry: 'session-express.server.js',
    env: { BENCH_SESSION_STORE: 'redis' },
    transport: 'cookie',
    needs: ['redis'],
  },
  'express-session-memory': {
    entry: 'session-express.server.js',
    env: { BENCH_SESSION_STORE: 'memory' },
    transport: 'cookie',
    needs: [],
  },
  'cachex-session-redis': {
    entry: 'session-cachex.server.js',
    env: { BENCH_STORE: 'redis' },
    transport: 'cookie',
    needs: ['redis'],
  },
  'cachex-session-redis-header': {
    entry: 'session-cachex.server.js',
    env: { BENCH_STORE: 'redis' },
    transport: 'header',
    needs: ['redis'],
  },
  'cachex-session-memory': {
    entry: 'session-cachex.server.js',
    env: { BENCH_STORE: 'memory' },
    transport: 'cookie',
    needs: [],
  },
  'cachex-session-jwt-redis': {
    entry: 'session-cachex.server.js',
    env: { BENCH_STORE: 'redis', BENCH_TOKEN: 'jwt' },
    transport: 'cookie',
    needs: ['redis'],
  },
  'cachex-session-open': {
    entry: 'session-cachex.server.js',
    env: { BENCH_STORE: 'memory' },
    transport: 'none',
    route: '/open',
    needs: [],
  },
  'nest-nosession-fastify': {
    entry: 'session-none.server.js',
    env: { BENCH_PLATFORM: 'fastify' },
    platform: 'fastify',
    transport: 'none',
    needs: [],
  },
  'fastify-session-redis': {
    entry: 'session-fastify.server.js',
    platform: 'fastify',
    transport: 'cookie',
    needs: ['redis'],
  },
  'cachex-session-redis-fastify': {
    entry: 'session-cachex.server.js',
    env: { BENCH_STORE: 'redis', BENCH_PLATFORM: 'fastify' },
    platform: 'fastify',
    transport: 'cookie',
    needs: ['redis'],
  },
};
for (const [name, spec] of Object.entries(SESSION_VARIANTS)) {
  VARIANTS[name] = { platform: 'express', route: ROUTE, ...spec };
}
/** The order of one round; odd rounds run it backwards, so every pair alternates A B / B A. */
const ORDER = [
  'express-session-redis',
  'cachex-session-redis',
  'nest-nosession',
  'cachex-session-jwt-redis',
  'cachex-session-redis-header',
  'express-session-memory',
  'cachex-session-memory',
  'cachex-session-open',
  'fastify-session-redis',
  'cachex-session-redis-fastify',
  'nest-nosession-fastify',
];

/**
 * Logs in once on a fresh server: the request headers that carry the session
 * (cookie or token header), or none for the app without sessions.
 */
async function login(base, transport) {
  const res = await get(`${base}/login`);
  if (res.status !== 200) throw new Error(`GET /login answered ${res.status}: ${res.body}`);
  if (transport === 'none') return {};
  if (transport === 'header') return { 'x-session-token': JSON.parse(res.body).token };
  const cookie = [res.headers['set-cookie'] ?? []].flat()[0];
  if (!cookie) throw new Error('GET /login set no cookie');
  return { cookie: cookie.split(';')[0] };
}

/** redis-server's own CPU seconds (user + sys), from INFO cpu. */
async function redisCpuSec(client) {
  const info = await client.info('cpu');
  const field = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Redis commands since CONFIG RESETSTAT, CONFIG and INFO themselves left out. */
async function redisCommands(client) {
  const { byCommand } = await redisCommandCount(client);
  const kept = Object.fromEntries(
    Object.entries(byCommand).filter(([name]) => !name.startsWith('config')),
  );
  return { total: Object.values(kept).reduce((a, b) => a + b, 0), byCommand: kept };
}

/**
 * One measurement of one variant in a fresh process: log in, check that `/me`
 * answers 200 with the user, warm up, wait for idle, then the load, with the
 * server's CPU time and, on Redis, its commands and CPU time.
 */
async function measure(item, ctx, starting) {
  const spec = VARIANTS[item.variant];
  const server = await starting;
  try {
    await flushStores(ctx.stores, spec.needs);
    const headers = await login(server.base, spec.transport);
    const url = server.base + item.route;
    const check = await get(url, { headers });
    if (check.status !== 200 || check.body.toString() !== EXPECTED_BODY) {
      throw new Error(`${item.variant}: GET ${item.route} answered ${check.status} ${check.body}`);
    }
    await runLoad({ url, headers, connections: ctx.connections, durationSec: ctx.warmupSec });
    const recheck = await get(url, { headers });
    if (recheck.status !== 200) throw new Error(`${item.variant}: ${recheck.status} after warm-up`);
    const renewedBeforeLoad = Boolean(
      recheck.headers['set-cookie'] || recheck.headers['x-session-token'],
    );
    const idle = await ctx.idleGate();
    const redis = spec.needs.includes('redis') ? ctx.stores.redis.client : undefined;
    if (redis) await redis.config('RESETSTAT');
    const redisCpuBefore = redis ? await redisCpuSec(redis) : undefined;
    const watch = watchOutsideLoad();
    const ticksBefore = processTicks(server.pid);
    const load = await runLoad({
      url,
      headers,
      connections: ctx.connections,
      durationSec: ctx.durationSec,
    });
    const serverTicks = processTicks(server.pid) - ticksBefore;
    const outsideCores = watch.stop();
    let redisStats;
    if (redis) {
      const cpu = (await redisCpuSec(redis)) - redisCpuBefore;
      const commands = await redisCommands(redis);
      redisStats = {
        commands: commands.total,
        commandsPerRequest: commands.total / load.requests,
        byCommand: commands.byCommand,
        cpuUsPerRequest: (cpu * 1e6) / load.requests,
      };
    }
    if (!server.alive())
      throw new Error(`${item.variant} died during the load:\n${server.stderr()}`);
    return {
      ...item,
      ...load,
      cpuUsPerRequest:
        serverTicks > 0 ? (serverTicks * 1e6) / TICKS_PER_SECOND / load.requests : undefined,
      redis: redisStats,
      renewedBeforeLoad,
      idleWaitMs: idle.waitedMs,
      outsideCoresDuring:
        outsideCores === undefined ? undefined : Math.round(outsideCores * 1000) / 1000,
      disturbed: outsideCores !== undefined && outsideCores > ctx.disturbedCores,
    };
  } finally {
    await server.stop();
  }
}

const fmt = (n, digits = 0) =>
  n === undefined || Number.isNaN(n)
    ? '—'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function render(results) {
  const { measurements } = results;
  const lines = [
    `## Sessions: guarded GET /me, ${config.connections} connections, Nest 12 on Express and Fastify`,
    '',
    `${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}; ` +
      `${config.durationSec} s per measurement, ${config.rounds} rounds (order reversed every other round), ` +
      `load average at start ${results.machine.loadAverageAtStart}; ${Math.round(results.elapsedSec)} s in all.`,
    '',
    '| variant | platform | route | transport | req/s (median) | min–max | p99 ms | server CPU µs/req | Redis cmds/req | redis-server CPU µs/req | errors | disturbed |',
    '|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const variant of ORDER) {
    const list = measurements.filter((m) => m.variant === variant);
    if (list.length === 0) continue;
    const rps = list.map((m) => m.reqPerSec);
    const redis = list.filter((m) => m.redis).map((m) => m.redis);
    lines.push(
      `| \`${variant}\` | ${VARIANTS[variant].platform} | ${VARIANTS[variant].route} | ${VARIANTS[variant].transport} | ${fmt(median(rps))} | ${fmt(Math.min(...rps))}–${fmt(Math.max(...rps))} | ` +
        `${fmt(median(list.map((m) => m.p99Ms)))} | ${fmt(median(list.map((m) => m.cpuUsPerRequest).filter((v) => v !== undefined)), 1)} | ` +
        `${redis.length ? fmt(median(redis.map((r) => r.commandsPerRequest)), 2) : '—'} | ` +
        `${redis.length ? fmt(median(redis.map((r) => r.cpuUsPerRequest)), 1) : '—'} | ` +
        `${list.reduce((a, m) => a + m.errors, 0)} | ${list.filter((m) => m.disturbed).length}/${list.length} |`,
    );
  }
  const commandMix = ORDER.filter((v) => VARIANTS[v].needs.includes('redis'))
    .map((v) => {
      const last = measurements.filter((m) => m.variant === v && m.redis).at(-1);
      if (!last) return undefined;
      const mix = Object.entries(last.redis.byCommand)
        .map(([name, calls]) => `${name} ${fmt(calls / last.requests, 2)}`)
        .join(', ');
      return `- \`${v}\`: ${mix || 'none'} per request`;
    })
    .filter(Boolean);
  lines.push('', 'Redis commands per request, by command (last round):', '', ...commandMix);
  lines.push(
    '',
    '| goal | target | measured (median of rounds; min–max) | verdict |',
    '|---|---|---|---|',
  );
  for (const goal of results.goals) {
    lines.push(
      `| ${goal.name} | ${goal.target} | ${goal.measured} | ${goal.met === undefined ? '—' : goal.met ? '✅ met' : '❌ not met'} |`,
    );
  }
  if (results.failures.length) {
    lines.push('', 'Failures:', ...results.failures.map((f) => `- ${f.part}: ${f.error}`));
  }
  return lines.join('\n');
}

function evaluateGoals(measurements) {
  const ratioGoal = (name, numerator, denominator, target, p99 = false) => {
    const r = roundRatios(
      measurements,
      [numerator, VARIANTS[numerator].route],
      [denominator, VARIANTS[denominator].route],
    );
    if (r.median === undefined) return { name, target: `≥ ${target}×`, measured: 'not measured' };
    let met = r.median >= target;
    let measured = `${times(r.median)} (${times(r.min)}–${times(r.max)}; CPU/req ${times(r.cpuMedian)}`;
    measured +=
      r.cleanRounds < r.perRound.length ? `; undisturbed rounds ${times(r.cleanMedian)})` : ')';
    if (p99) {
      const p = (v) => median(measurements.filter((m) => m.variant === v).map((m) => m.p99Ms));
      const ours = p(numerator);
      const theirs = p(denominator);
      measured += `; p99 ${ours} vs ${theirs} ms`;
      met = met && ours <= theirs;
    }
    return { name, target: `≥ ${target}×${p99 ? ', p99 no worse' : ''}`, measured, met };
  };
  const goals = [
    ratioGoal(
      'SessionModule on Redis vs express-session + connect-redis (req/s)',
      'cachex-session-redis',
      'express-session-redis',
      1.2,
      true,
    ),
    ratioGoal(
      'SessionModule on Memory vs express-session MemoryStore (req/s)',
      'cachex-session-memory',
      'express-session-memory',
      1.2,
    ),
    ratioGoal(
      '/me on Redis (SessionModule) vs the app without sessions',
      'cachex-session-redis',
      'nest-nosession',
      0.85,
    ),
    ratioGoal(
      'JWT vs simple tokens, SessionModule on Redis',
      'cachex-session-jwt-redis',
      'cachex-session-redis',
      0.9,
    ),
    ratioGoal(
      'An unguarded, uncached route of the app with CacheXModule and SessionModule vs the app without them',
      'cachex-session-open',
      'nest-nosession',
      0.95,
    ),
    ...[
      [
        'header token vs cookie, SessionModule on Redis',
        'cachex-session-redis-header',
        'cachex-session-redis',
      ],
      [
        'Fastify: SessionModule on Redis vs @fastify/session + connect-redis',
        'cachex-session-redis-fastify',
        'fastify-session-redis',
      ],
      [
        'Fastify: /me on Redis (SessionModule) vs the app without sessions',
        'cachex-session-redis-fastify',
        'nest-nosession-fastify',
      ],
      [
        'SessionModule on Redis, Fastify vs Express',
        'cachex-session-redis-fastify',
        'cachex-session-redis',
      ],
    ].map(([name, numerator, denominator]) => ({
      ...ratioGoal(`${name} (informational)`, numerator, denominator, 0),
      target: '—',
      met: undefined,
    })),
  ];
  const ours = measurements.filter((m) => m.variant.startsWith('cachex-session') && m.redis);
  // autocannon counts answered requests only: the up to `connections` requests in flight when
  // it stops reached the server (and Redis) too, so they are allowed for.
  const worst = ours.length ? Math.max(...ours.map((m) => m.redis.commandsPerRequest)) : undefined;
  const withinInFlight = ours.every((m) => m.redis.commands <= m.requests + config.connections);
  goals.push({
    name: 'Redis commands per authenticated request (SessionModule, every Redis measurement)',
    target: `≤ 1 (+ ${config.connections} requests in flight at the stop)`,
    measured: worst === undefined ? 'not measured' : `at most ${worst.toFixed(3)}`,
    met: worst === undefined ? undefined : withinInFlight,
  });
  return goals;
}

let stores;
process.once('SIGINT', async () => {
  stopAllServers();
  if (stores) await stopStores(stores).catch(() => {});
  process.exit(130);
});

async function main() {
  const machine = describeMachine();
  pin(process.pid, config.loadCore);
  log(`sessions benchmark — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  const build = buildAll(log);
  log(`  build: ${build.rebuilt.length ? `rebuilt ${build.rebuilt.join(' and ')}` : 'up to date'}`);
  stores = await startStores({ core: config.loadCore, log });
  const available = (v) => VARIANTS[v].needs.every((s) => stores[s] !== undefined);
  const ctx = {
    ...config,
    serversDir: join(benchDir, 'dist/servers'),
    stores,
    idleGate: idleGate(config),
  };
  const plan = [];
  for (let round = 0; round < config.rounds; round++) {
    const order = (round % 2 === 0 ? ORDER : [...ORDER].reverse()).filter(available);
    for (const variant of order) plan.push({ round, variant, route: VARIANTS[variant].route });
  }
  log(`${plan.length} measurements of ${config.durationSec} s, ${config.rounds} rounds`);
  const results = { startedAt: new Date(started).toISOString(), config, machine, failures: [] };
  const measurements = [];
  // Each process starts after the previous one is stopped: nothing overlaps a measurement.
  let starting = startServer(plan[0].variant, serverOptions(ctx));
  for (let i = 0; i < plan.length; i++) {
    const item = plan[i];
    const current = starting;
    current.catch(() => undefined);
    try {
      const m = await measure(item, ctx, current);
      measurements.push(m);
      log(
        `  [${i + 1}/${plan.length}] round ${item.round + 1} ${item.variant.padEnd(28)} ${fmt(m.reqPerSec).padStart(7)} req/s  ` +
          `p99 ${m.p99Ms} ms  CPU ${fmt(m.cpuUsPerRequest, 1)} µs/req` +
          (m.redis
            ? `  redis ${m.redis.commandsPerRequest.toFixed(2)} cmd/req ${fmt(m.redis.cpuUsPerRequest, 1)} µs/req`
            : '') +
          `  errors ${m.errors}${m.renewedBeforeLoad ? '  (RENEWED a token)' : ''}` +
          `  (outside load ${m.outsideCoresDuring ?? '?'} cores${m.disturbed ? ', DISTURBED' : ''})`,
      );
    } catch (error) {
      log(`! ${item.variant} failed: ${error.stack ?? error}`);
      results.failures.push({
        part: `${item.variant} round ${item.round + 1}`,
        error: String(error.message ?? error),
      });
    }
    starting = plan[i + 1] && startServer(plan[i + 1].variant, serverOptions(ctx));
  }
  await stopStores(stores);
  results.measurements = measurements;
  results.elapsedSec = (Date.now() - started) / 1000;
  results.goals = evaluateGoals(measurements);
  const markdown = render(results);
  const resultsDir = join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'sessions.md'), `${markdown}\n`);
  writeFileSync(join(resultsDir, 'sessions.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${markdown}\n\n`);
  log(
    `Written: test/bench/results/sessions.md, sessions.json (${Math.round(results.elapsedSec)} s)`,
  );
  if (results.failures.length) process.exitCode = 1;
}

main().catch(async (error) => {
  log(error.stack ?? String(error));
  stopAllServers();
  if (stores) await stopStores(stores).catch(() => {});
  process.exit(1);
});
