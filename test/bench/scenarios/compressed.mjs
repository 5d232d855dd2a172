/**
 * Compressed variants (issue 14): `GET /big` hits with `Accept-Encoding:
 * gzip, br` on three Express apps, each with the `compression` middleware in
 * front as a production app has it: nestjs-cachex with stored variants
 * (`cachex-compress`), nestjs-cachex with `compression: false`
 * (`cachex-nocompress`: the middleware compresses every hit) and
 * @nestjs/cache-manager (`cache-manager-compress`). Fresh processes,
 * interleaved rounds (the order reversed every other round), ratios per
 * round; and the bytes of one /big hit with and without the encodings.
 */
import { get, runLoad } from '../lib/load.mjs';
import { processTicks, TICKS_PER_SECOND } from '../lib/machine.mjs';
import { serverOptions, startServer } from '../lib/server-process.mjs';
import { times } from '../lib/report.mjs';
import { median } from '../lib/stats.mjs';
import { roundRatios } from '../lib/throughput.mjs';

const ROUTE = '/big';
const ENCODINGS = { 'accept-encoding': 'gzip, br' };
const ORDER = ['cache-manager-compress', 'cachex-nocompress', 'cachex-compress'];

/** One measurement in a fresh process: a fill, a warm-up, the load; req/s, bytes and CPU per hit. */
async function measureOne(variant, ctx) {
  const server = await startServer(variant, serverOptions(ctx));
  try {
    const url = server.base + ROUTE;
    await get(url, { headers: ENCODINGS });
    await new Promise((resolve) => setTimeout(resolve, 50)); // cache-manager stores after sending
    await runLoad({
      url,
      headers: ENCODINGS,
      connections: ctx.connections,
      durationSec: ctx.warmupSec,
    });
    const check = await get(url, { headers: ENCODINGS });
    const identity = await get(url);
    await ctx.idleGate();
    const ticksBefore = processTicks(server.pid);
    const load = await runLoad({
      url,
      headers: ENCODINGS,
      connections: ctx.connections,
      durationSec: ctx.durationSec,
    });
    const ticks = processTicks(server.pid) - ticksBefore;
    return {
      variant,
      route: ROUTE,
      reqPerSec: load.reqPerSec,
      p99Ms: load.p99Ms,
      errors: load.errors,
      cpuUsPerRequest: ticks > 0 ? (ticks * 1e6) / TICKS_PER_SECOND / load.requests : undefined,
      encoding: check.headers['content-encoding'] ?? 'identity',
      bytesPerHit: check.body.length,
      identityBytes: identity.body.length,
      cacheStatus: check.headers['cache-status'] ?? check.headers['x-cache'],
    };
  } finally {
    await server.stop();
  }
}

/**
 * Runs `rounds` interleaved rounds; resolves to the measurements and the
 * goals of issue 14 (median of the per-round ratios, by roundRatios as for the
 * throughput pairs: a round whose denominator served nothing is left out).
 */
export async function runCompressed(ctx, rounds) {
  const measurements = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ORDER : [...ORDER].reverse();
    for (const variant of order) {
      const m = { round, ...(await measureOne(variant, ctx)) };
      measurements.push(m);
      ctx.log(
        `  compression round ${round + 1} ${variant.padEnd(24)} ${Math.round(m.reqPerSec)} req/s, ` +
          `${m.encoding} ${m.bytesPerHit} B per hit (identity ${m.identityBytes} B), ${m.cacheStatus ?? 'no cache header'}`,
      );
    }
  }
  const ratio = (a, b) => roundRatios(measurements, [a, ROUTE], [b, ROUTE]).median;
  const ours = measurements.filter((m) => m.variant === 'cachex-compress');
  const bytesRatio = median(ours.map((m) => m.identityBytes / m.bytesPerHit));
  const goals = [
    [
      'cachex with stored variants vs cachex + the compression middleware, /big hits (gzip, br)',
      ratio('cachex-compress', 'cachex-nocompress'),
      5,
    ],
    [
      'cachex with stored variants vs @nestjs/cache-manager + compression, /big hits (gzip, br)',
      ratio('cachex-compress', 'cache-manager-compress'),
      15,
    ],
    [`bytes on the wire per /big hit: identity ÷ ${ours[0]?.encoding ?? '—'}`, bytesRatio, 5],
  ].map(([goal, value, target]) => ({
    id: `compression-${target}`,
    platform: 'express',
    goal,
    target: `≥ ${target}×`,
    measured: `${times(value)} (${rounds} rounds)`,
    met: value >= target,
  }));
  return { measurements, goals };
}
