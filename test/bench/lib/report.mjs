/** Turns the results into the goals verdicts and a README-ready markdown page. */
import { baselinesOf, VARIANTS } from './server-process.mjs';
import { median } from './stats.mjs';
import { roundRatios } from './throughput.mjs';

const MiB = 1024 * 1024;
const int = (n) =>
  n === undefined || Number.isNaN(n) ? '—' : Math.round(n).toLocaleString('en-US');
const fixed = (n, digits = 2) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits));
/** A ratio as shown everywhere: two decimals and ×; '—' when not measured. */
export const times = (n) => (n === undefined ? '—' : `${n.toFixed(2)}×`);
const mib = (bytes) => (bytes === undefined ? '—' : `${(bytes / MiB).toFixed(0)} MiB`);
const ms = (n) =>
  n === undefined ? '—' : n < 0.1 ? `${(n * 1000).toFixed(1)} µs` : `${n.toFixed(2)} ms`;
const verdict = (met) =>
  met === true ? '**met**' : met === false ? '**not met**' : 'not measured';

/** The admin page's goal (issue 13): a load with 100 000 entries, in ms. */
export const ADMIN_PAGE_GOAL_MS = 200;

/** The comparisons measured in interleaved rounds: cachex against its peer. */
export const PAIRS = [
  { id: 'memory-small', route: '/small', members: ['cache-manager-memory', 'cachex-memory'] },
  { id: 'memory-big', route: '/big', members: ['cache-manager-memory', 'cachex-memory'] },
  // What counting costs (issue 13): cachex-memory against itself with metrics that record nothing.
  {
    id: 'metrics-small',
    route: '/small',
    members: ['cachex-memory-nometrics', 'cachex-memory'],
  },
  { id: 'redis-small', route: '/small', members: ['cache-manager-redis', 'cachex-redis'] },
  { id: 'redis-big', route: '/big', members: ['cache-manager-redis', 'cachex-redis'] },
  // Two tiers (issue 16): a MemoryBackend in front of Redis against MemoryBackend alone, in
  // BENCH_FASTIFY_ROUNDS of the rounds (`spread`).
  {
    id: 'tiered-small',
    route: '/small',
    members: ['cachex-memory', 'cachex-tiered-redis'],
    spread: true,
  },
  {
    id: 'tiered-big',
    route: '/big',
    members: ['cachex-memory', 'cachex-tiered-redis'],
    spread: true,
  },
  // The stretch goal. With memory-small running, only express-bare is measured (a companion).
  { id: 'bare-small', route: '/small', members: ['express-bare', 'cachex-memory'] },
  // Fastify: measured in BENCH_FASTIFY_ROUNDS of the rounds (see run.mjs).
  {
    id: 'fastify-memory-small',
    route: '/small',
    members: ['cache-manager-fastify-memory', 'cachex-fastify-memory'],
  },
  {
    id: 'fastify-memory-big',
    route: '/big',
    members: ['cache-manager-fastify-memory', 'cachex-fastify-memory'],
  },
  // With fastify-memory-small running, only their first member is measured (companions).
  {
    id: 'fastify-nocache-small',
    route: '/small',
    members: ['nest-fastify-nocache', 'cachex-fastify-memory'],
  },
  { id: 'fastify-bare-small', route: '/small', members: ['fastify-bare', 'cachex-fastify-memory'] },
];

/**
 * Measured in the first and the last round of the `beside` pair right after
 * its cachex member, and compared with it in the same round: bare Express for
 * the stretch goal (the bare-small pair), cachex-memory /slow for the /slow
 * goal; on Fastify, Nest without a cache and bare Fastify.
 */
export const COMPANIONS = [
  { group: 'bare-small', beside: 'memory-small', variant: 'express-bare', route: '/small' },
  { group: 'slow-small', beside: 'memory-small', variant: 'cachex-memory', route: '/slow' },
  {
    group: 'fastify-nocache-small',
    beside: 'fastify-memory-small',
    variant: 'nest-fastify-nocache',
    route: '/small',
  },
  {
    group: 'fastify-bare-small',
    beside: 'fastify-memory-small',
    variant: 'fastify-bare',
    route: '/small',
  },
];

/** Whether a pair compares cachex with a baseline of its platform (no cache, or no Nest) rather than with its peer. */
const isBaselinePair = (pair) => {
  const { nocache, bare } = baselinesOf(pair.members[1]);
  return pair.members[0] === nocache || pair.members[0] === bare;
};

/** Which @nestjs/cache-manager variant a variant is compared with (on its own platform). */
const PEER = {
  'cachex-memory': 'cache-manager-memory',
  'cachex-redis': 'cache-manager-redis',
  'cachex-memcached': 'cache-manager-redis',
  'cachex-fastify-memory': 'cache-manager-fastify-memory',
};

/** Ratios of every pair, per round. */
export function pairRatios(measurements) {
  const ratios = {};
  for (const pair of PAIRS) {
    const [peer, cachex] = pair.members;
    ratios[pair.id] = roundRatios(measurements, [cachex, pair.route], [peer, pair.route], pair.id);
  }
  const slow = roundRatios(measurements, ['cachex-memory', '/slow'], ['cachex-memory', '/small']);
  if (slow.perRound.length > 0) ratios['slow-small'] = slow;
  return ratios;
}

function seriesOf(summary, variant, route) {
  return summary.find((s) => s.variant === variant && s.route === route);
}

/**
 * Each goal of the issues, with its figure and whether it is met (null: not
 * measured): those of the parts above, then the compression scenario's own
 * (`results.compression.goals`) and the two-tier propagation's.
 */
export function evaluateGoals(results) {
  const { series = [], ratios = {} } = results.throughput ?? {};
  const goals = [];
  const ratioGoal = (id, goal, pairId, target, platform = 'express') => {
    const r = ratios[pairId];
    const has = r && r.median !== undefined;
    goals.push({
      id,
      platform,
      goal,
      target: `≥ ${target}×`,
      measured: has
        ? `${times(r.median)} (min ${times(r.min)}, max ${times(r.max)}; ${r.perRound.length} rounds${
            r.perRound.some((p) => p.disturbed)
              ? `, undisturbed-only median ${times(r.cleanMedian)} over ${r.cleanRounds}`
              : ''
          }; by server CPU per request ${times(r.cpuMedian)})`
        : '—',
      met: has ? r.median >= target : null,
    });
  };
  ratioGoal(
    'memory-small',
    'cachex-memory hit on /small vs cache-manager-memory',
    'memory-small',
    1.2,
  );
  ratioGoal('memory-big', 'cachex-memory hit on /big vs cache-manager-memory', 'memory-big', 2);
  ratioGoal('redis-big', 'cachex-redis hit on /big vs cache-manager-redis', 'redis-big', 4);
  ratioGoal('redis-small', 'cachex-redis hit on /small vs cache-manager-redis', 'redis-small', 1.2);
  ratioGoal(
    'tiered-small',
    'cachex-tiered-redis hit on /small vs cachex-memory',
    'tiered-small',
    0.9,
  );
  ratioGoal('tiered-big', 'cachex-tiered-redis hit on /big vs cachex-memory', 'tiered-big', 0.9);
  ratioGoal(
    'metrics-small',
    'Metrics cost: cachex-memory hit on /small vs the same with metrics that record nothing',
    'metrics-small',
    0.95,
  );

  const admin = results.adminPage;
  goals.push({
    id: 'admin-page',
    goal: `Admin page: GET /cachex loads with ${admin ? int(admin.entries) : '100 000'} entries in a MemoryBackend (median load)`,
    target: `< ${ADMIN_PAGE_GOAL_MS} ms`,
    measured: admin
      ? `${ms(admin.medianMs)} (p90 ${ms(admin.p90Ms)}, max ${ms(admin.maxMs)}, first ${ms(admin.firstMs)}; ${admin.loads} loads, ${int(admin.pageBytes)} B page, ${admin.keysListed} keys listed)`
      : '—',
    met: admin ? admin.medianMs < ADMIN_PAGE_GOAL_MS : null,
  });

  const slow = seriesOf(series, 'cachex-memory', '/slow');
  const small = seriesOf(series, 'cachex-memory', '/small');
  const same = ratios['slow-small'];
  goals.push({
    id: 'slow-vs-small',
    platform: 'express',
    goal: 'cachex-memory: /slow hits within 10 % of /small hits',
    target: '≥ 0.90×',
    measured:
      same && slow && small
        ? `${times(same.median)} (min ${times(same.min)}, max ${times(same.max)}; /slow beside /small in ${same.perRound.length} rounds; medians ${int(slow.reqPerSec)} vs ${int(small.reqPerSec)} req/s, CPU per request ${fixed(slow.cpuUsPerRequest, 0)} vs ${fixed(small.cpuUsPerRequest, 0)} µs)`
        : '—',
    met: same ? same.median >= 0.9 : null,
  });

  // As before Fastify variants existed: the Express ones (the stampede table shows all).
  const stampede = (results.stampede ?? []).filter(
    (s) => s.variant.startsWith('cachex-') && VARIANTS[s.variant]?.platform === 'express',
  );
  goals.push({
    id: 'stampede',
    platform: 'express',
    goal: 'Stampede: 100 concurrent requests to a cold /slow run the handler once (cachex variants)',
    target: '1 run',
    measured: stampede.length
      ? stampede.map((s) => `${s.variant} ${s.handlerRuns}`).join(', ')
      : '—',
    met: stampede.length ? stampede.every((s) => s.handlerRuns === 1) : null,
  });

  const redis = (results.roundTrips ?? []).find((r) => r.variant === 'cachex-redis');
  goals.push({
    id: 'redis-commands',
    platform: 'express',
    goal: 'Redis: commands per hit (cachex-redis)',
    target: '1',
    measured: redis
      ? `${fixed(redis.commandsPerHit, 3)} (${Object.keys(redis.hitDetail).join(', ')})`
      : '—',
    met: redis ? redis.commandsPerHit <= 1 : null,
  });

  // The bus's once-a-second PING keeps its subscription honest; it is no command of a hit.
  const tiered = (results.roundTrips ?? []).find((r) => r.variant === 'cachex-tiered-redis');
  const tieredHitCommands = tiered
    ? Object.entries(tiered.hitDetail)
        .filter(([name]) => name !== 'ping')
        .reduce((sum, [, count]) => sum + count, 0)
    : undefined;
  goals.push({
    id: 'tiered-commands',
    platform: 'express',
    goal: 'Two tiers: Redis commands per local hit once warm (cachex-tiered-redis; the bus PINGs left out)',
    target: '0',
    measured: tiered
      ? `${fixed(tieredHitCommands, 3)} per hit over ${int(tiered.hits)} hits (every command per hit: ${
          Object.entries(tiered.hitDetail)
            .map(([name, perHit]) => `${name} ${fixed(perHit, 3)}`)
            .join(', ') || 'none'
        })`
      : '—',
    met: tiered ? tieredHitCommands === 0 : null,
  });

  const memory = results.memoryBound;
  goals.push({
    id: 'memory-bound',
    goal: 'Memory bound: 1 000 000 × 1 KB through MemoryBackend (maxBytes 64 MiB): peak RSS < 3 × maxBytes + baseline',
    target: memory ? `< ${mib(memory.limitRssBytes)}` : '< 3 × maxBytes + baseline',
    measured: memory
      ? `peak ${mib(memory.peakRssBytes)} (baseline ${mib(memory.baselineRssBytes)}), ${int(memory.entriesKept)} entries kept`
      : '—',
    met: memory ? memory.met : null,
  });

  const clear = (results.clearPath ?? []).filter(
    (c) => c.backend === 'memory' || c.backend === 'redis',
  );
  goals.push({
    id: 'clear-path',
    goal: 'clearPath: time independent of the number of other entries (Memory, Redis)',
    target: 'within noise',
    measured: clear.length
      ? clear
          .map(
            (c) =>
              `${c.backend}: ${c.results.map((r) => `${ms(r.medianMs)} @ ${int(r.others)}`).join(', ')}`,
          )
          .join('; ')
      : '—',
    met: clear.length === 2 ? clear.every((c) => c.independent) : null,
  });

  ratioGoal(
    'stretch-bare-express',
    'Stretch: cachex-memory /small hits within 10 % of a bare Express app',
    'bare-small',
    0.9,
  );

  ratioGoal(
    'fastify-memory-small',
    'Fastify: cachex-fastify-memory hit on /small vs cache-manager-fastify-memory',
    'fastify-memory-small',
    1.5,
    'fastify',
  );
  ratioGoal(
    'fastify-nocache-small',
    'Fastify: cachex-fastify-memory hit on /small vs nest-fastify-nocache (same rounds)',
    'fastify-nocache-small',
    1,
    'fastify',
  );
  ratioGoal(
    'fastify-memory-big',
    'Fastify: cachex-fastify-memory hit on /big vs cache-manager-fastify-memory',
    'fastify-memory-big',
    3,
    'fastify',
  );
  ratioGoal(
    'fastify-bare-small',
    'Fastify: cachex-fastify-memory /small hits within 10 % of a bare Fastify app (same rounds)',
    'fastify-bare-small',
    0.9,
    'fastify',
  );
  goals.push(expressHolds(goals));
  // Listed after express-holds, as they always were: it counts only the goals above it.
  goals.push(...(results.compression?.goals ?? []));
  if (results.propagation) goals.push(propagationGoal(results.propagation));
  return goals;
}

/** The two-tier invalidation goal (issue 16), from scenarios/tiered-propagation.mjs's figures. */
function propagationGoal(propagation) {
  return {
    id: 'tiered-propagation',
    platform: 'express',
    goal: "Two tiers: a clearPath on instance A no longer served from B's local tier (1 000 calls)",
    target: `p99 < ${propagation.goalP99Ms} ms`,
    measured: `p50 ${propagation.p50Ms.toFixed(2)} ms, p99 ${propagation.p99Ms.toFixed(2)} ms, max ${propagation.maxMs.toFixed(2)} ms`,
    met: propagation.met,
  };
}

/**
 * "No Express figure may fall": every Express goal above met — the stretch
 * aside (shown, not counted: its verdict already varied from run to run).
 */
function expressHolds(goals) {
  const express = goals.filter((g) => g.platform === 'express' && g.id !== 'stretch-bare-express');
  const measured = express.filter((g) => g.met !== null);
  const missed = measured.filter((g) => !g.met);
  const stretch = goals.find((g) => g.id === 'stretch-bare-express');
  const figure = (g) => g.measured.split(' (')[0];
  return {
    id: 'express-holds',
    goal: 'No Express figure falls: every Express goal above still met beside the Fastify variants (the stretch shown, not counted)',
    target: `${express.length} of ${express.length}`,
    measured: measured.length
      ? `${measured.length - missed.length} of ${measured.length} met${
          missed.length ? `; not met: ${missed.map((g) => g.id).join(', ')}` : ''
        } (${measured
          .filter((g) => g.id !== 'stampede' && g.id !== 'redis-commands')
          .map((g) => `${g.id} ${figure(g)}`)
          .join(', ')}); stretch ${stretch?.met === null ? 'not measured' : figure(stretch)}`
      : '—',
    met: missed.length ? false : measured.length === express.length ? true : null,
  };
}

/** Markdown page: machine, tables, goals, scenarios, how to reproduce. */
export function renderMarkdown(results) {
  const { config, machine } = results;
  const out = [];
  const line = (text = '') => out.push(text);
  /** `align`: one letter per column, l (left) or r (right); numbers right, text left. */
  const table = (head, rows, align = 'l' + 'r'.repeat(head.length - 1)) => {
    line(`| ${head.join(' | ')} |`);
    line(`|${[...align].map((a) => (a === 'l' ? '---' : '---:')).join('|')}|`);
    for (const row of rows) line(`| ${row.join(' | ')} |`);
    line();
  };

  line('## Performance');
  line();
  line(
    `Measured by \`npm run bench\` on ${results.startedAt.slice(0, 10)}: ${machine.cpu}, ${machine.cores} cores, ` +
      `${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}. ` +
      `${machine.taskset ? `Server on core ${config.serverCore}, load generator, Redis and Memcached on core ${config.loadCore} (taskset).` : 'No taskset: nothing pinned.'} ` +
      `autocannon, ${config.connections} connections, ${config.durationSec} s per measurement after a ${config.warmupSec} s warm-up that fills the cache; ` +
      `a fresh server process per measurement (started at nice 19 on the load core during the previous one's warm-up); ${config.rounds} interleaved rounds (peer and cachex alternate, A B then B A)${config.fastifyRounds !== undefined && config.fastifyRounds < config.rounds ? `, the Fastify pairs in ${config.fastifyRounds} of them (the first, the last and evenly between)` : ''}. ` +
      `Library ${results.library.commit}${results.library.dirty ? ' + uncommitted changes' : ''} (sources ${results.library.hash}), run took ${Math.round(results.elapsedSec)} s.`,
  );
  line();

  const tp = results.throughput;
  if (tp) {
    line('### Hit throughput');
    line();
    line(
      'Medians over the measurements of each variant and route (min–max). CPU µs/req: CPU time of the server process per request, ' +
        'which other processes sharing its core barely move (req/s they do). Handler runs: during the measured window (warm-up included: total). ' +
        'Cached variants were checked to answer from the cache after the warm-up, and every variant to send the same bytes.',
    );
    line();
    table(
      [
        'variant',
        'route',
        'req/s',
        'min–max',
        'p50 ms',
        'p99 ms',
        'CPU µs/req',
        'errors',
        'handler runs (total)',
        'measurements (disturbed)',
      ],
      tp.series.map((s) => [
        s.variant,
        s.route,
        int(s.reqPerSec),
        `${int(s.reqPerSecMin)}–${int(s.reqPerSecMax)}`,
        fixed(s.p50Ms, 0),
        fixed(s.p99Ms, 0),
        fixed(s.cpuUsPerRequest, 0),
        int(s.errors),
        `${int(s.handlerRuns)} (${int(s.handlerRunsTotal)})`,
        `${s.n} (${s.disturbed})${s.durationSec !== config.durationSec ? `, ${s.durationSec} s each` : ''}${s.servedHit || !/^cach/.test(s.variant) ? '' : ' ⚠ not from cache'}${s.bytesIdentical ? '' : ' ⚠ bytes differ'}`,
      ]),
      'llrrrrrrrr',
    );

    line('### Ratios');
    line();
    line(
      '× cache-manager: median of the per-round req/s ratios (min–max) against the matching @nestjs/cache-manager variant on the same platform in the same rounds ' +
        "(cachex-memcached has no such peer: its median against cache-manager-redis's median); CPU × cache-manager: the same with server CPU per request " +
        '(peer ÷ cachex: above 1 when cachex spends less). × no cache and × bare: against Nest without a cache and the bare app of the same platform ' +
        '(nest-nocache and express-bare on Express, nest-fastify-nocache and fastify-bare on Fastify); cachex-memory /small and cachex-fastify-memory /small ' +
        'against the ones measured right after them in their first and last rounds (median of the ratios of those rounds), other rows against their median.',
    );
    line();
    const rows = [];
    /** A same-round comparison of `variant` with `baseline` on `route`, if one was measured. */
    const sameRounds = (variant, baseline, route) => {
      const pair = PAIRS.find(
        (p) => p.route === route && p.members.join() === `${baseline},${variant}`,
      );
      const r = pair && tp.ratios[pair.id];
      return r?.median !== undefined
        ? `${times(r.median)} (${times(r.min)}–${times(r.max)})`
        : undefined;
    };
    const against = (s, baseline) => {
      const same = sameRounds(s.variant, baseline, s.route);
      if (same) return same;
      const base = seriesOf(tp.series, baseline, s.route);
      return base ? times(s.reqPerSec / base.reqPerSec) : '—';
    };
    for (const s of tp.series) {
      if (VARIANTS[s.variant]?.bare || s.variant.startsWith('nest-')) continue;
      const pair = PAIRS.find(
        (p) => p.route === s.route && p.members[1] === s.variant && !isBaselinePair(p),
      );
      let vsPeer = '—';
      let cpuVsPeer = '—';
      if (pair && tp.ratios[pair.id]?.median !== undefined) {
        const r = tp.ratios[pair.id];
        vsPeer = `${times(r.median)} (${times(r.min)}–${times(r.max)})`;
        if (r.cpuMedian !== undefined)
          cpuVsPeer = `${times(r.cpuMedian)} (${times(r.cpuMin)}–${times(r.cpuMax)})`;
      } else if (PEER[s.variant] && !pair) {
        const peer = seriesOf(tp.series, PEER[s.variant], s.route);
        if (peer) vsPeer = `${times(s.reqPerSec / peer.reqPerSec)} vs ${PEER[s.variant]}`;
        if (peer?.cpuUsPerRequest && s.cpuUsPerRequest) {
          cpuVsPeer = `${times(peer.cpuUsPerRequest / s.cpuUsPerRequest)} vs ${PEER[s.variant]}`;
        }
      }
      const { nocache, bare } = baselinesOf(s.variant);
      rows.push([s.variant, s.route, against(s, nocache), vsPeer, cpuVsPeer, against(s, bare)]);
    }
    table(
      ['variant', 'route', '× no cache', '× cache-manager', 'CPU × cache-manager', '× bare'],
      rows,
      'llrrrr',
    );

    line('<details><summary>Per-round ratios</summary>');
    line();
    table(
      ['comparison', ...Array.from({ length: config.rounds }, (_, i) => `round ${i + 1}`)],
      Object.entries(tp.ratios).map(([id, r]) => [
        `${id}: ${r.numerator} ÷ ${r.denominator}`,
        ...Array.from({ length: config.rounds }, (_, i) => {
          const p = r.perRound.find((x) => x.round === i);
          return p ? `${times(p.ratio)}${p.disturbed ? ' (disturbed)' : ''}` : '—';
        }),
      ]),
      'l' + 'r'.repeat(config.rounds),
    );
    line('</details>');
    line();
  }

  line('### Goals');
  line();
  table(
    ['goal', 'target', 'measured', 'verdict'],
    results.goals.map((g) => [g.goal, g.target, g.measured, verdict(g.met)]),
    'lrll',
  );

  if (results.stampede) {
    line('### Stampede');
    line();
    line(
      '100 concurrent requests, one connection each, to a cold `/slow` (20 ms handler), fresh process and empty store per variant.',
    );
    line();
    table(
      ['variant', 'handler runs', '200 answers', 'answered from cache / collapsed', 'wall ms'],
      results.stampede.map((s) => [
        s.variant,
        int(s.handlerRuns),
        int(s.ok),
        `${s.fromCache} / ${s.collapsed}`,
        int(s.wallMs),
      ]),
    );
  }

  if (results.roundTrips) {
    line('### Round trips per hit');
    line();
    line(
      'Counted by the store: Redis `INFO commandstats` (INFO left out), Memcached `stats` (a multi-get counts each key in `cmd_get`); 1 000 hits on `/small`, 4 at a time.',
    );
    line();
    table(
      ['variant', 'store', 'commands per hit', 'which', 'commands per miss + store'],
      results.roundTrips.map((r) => [
        r.variant,
        r.store,
        fixed(r.commandsPerHit, 3),
        Object.entries(r.hitDetail)
          .map(([k, v]) => `${k} ${fixed(v, 2)}`)
          .join(', ') || '—',
        `${r.commandsPerMissAndStore} (${Object.entries(r.missDetail)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})`,
      ]),
      'llrll',
    );
  }

  if (results.memoryBound) {
    const m = results.memoryBound;
    line('### Memory bound');
    line();
    line(
      `${int(m.keys)} distinct keys, ${m.bodyBytes}-byte bodies built like the interceptor builds them, through \`new MemoryBackend({ maxBytes: ${mib(m.maxBytes)}, maxEntries: ${int(m.maxEntries)} })\` ` +
        '(maxEntries raised above what fits, so that maxBytes is the bound), in a child process.',
    );
    line();
    table(
      [
        'baseline RSS',
        'peak RSS',
        'limit (3 × maxBytes + baseline)',
        'RSS after, after GC',
        'entries kept',
        'insert time',
      ],
      [
        [
          mib(m.baselineRssBytes),
          mib(m.peakRssBytes),
          mib(m.limitRssBytes),
          `${mib(m.rssAfterStormBytes)}, ${mib(m.rssAfterGcBytes)}`,
          int(m.entriesKept),
          `${fixed(m.insertSeconds, 1)} s`,
        ],
      ],
      'rrrrrr',
    );
  }

  if (results.clearPath) {
    line('### clearPath cost');
    line();
    line(
      "Time to clear one path's 10 entries (5 hosts, with and without a query) with N entries on other paths; median (p10–p90) of repeated clears.",
    );
    line();
    const counts = [...new Set(results.clearPath.flatMap((c) => c.results.map((r) => r.others)))];
    table(
      ['backend', ...counts.map((n) => `${int(n)} others`), 'independent'],
      results.clearPath.map((c) => [
        c.backend,
        ...counts.map((n) => {
          const r = c.results.find((x) => x.others === n);
          return r ? `${ms(r.medianMs)} (${ms(r.p10Ms)}–${ms(r.p90Ms)})` : '—';
        }),
        c.independent ? 'yes' : 'no',
      ]),
      'l' + 'r'.repeat(counts.length) + 'l',
    );
  }

  if (results.skipped?.length) {
    line(`Skipped: ${results.skipped.join('; ')}.`);
    line();
  }
  line(
    `Reproduce: \`npm run bench\` (defaults: BENCH_DURATION=10, BENCH_ROUNDS=5, BENCH_FASTIFY_ROUNDS=3; quick smoke run: \`BENCH_DURATION=2 BENCH_ROUNDS=2 npm run bench\`). ` +
      'Full figures: `test/bench/results/latest.json`.',
  );
  return out.join('\n');
}

export { median };
