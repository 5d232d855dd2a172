/**
 * Admin page load time (issue 13): a fresh `cachex-admin` server (Express,
 * its MemoryBackend holding 100 000 entries) on the server core; a little
 * traffic on `/small`, `/big` and `/slow` so the route tables have rows; then
 * `GET /cachex`, one request at a time: the first load (a cold process), a
 * few untimed, then `loads` timed ones → median, p90 and max. Each load is
 * the HTML document whole (its stylesheet is a separate, constant request).
 * The page must list a first page of keys and report every entry.
 */
import { get } from '../lib/load.mjs';
import { serverOptions, startServer, VARIANTS } from '../lib/server-process.mjs';
import { quantile } from '../lib/stats.mjs';

const VARIANT = 'cachex-admin';

/** Times one GET of the page; checks it is the page. */
async function load(url) {
  const started = process.hrtime.bigint();
  const res = await get(url);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return { ms, page: res.body.toString('utf8') };
}

export async function runAdminPage(ctx, { loads = 50, warmUp = 10 } = {}) {
  const entries = Number(VARIANTS[VARIANT].env.BENCH_ADMIN_ENTRIES);
  const server = await startServer(VARIANT, serverOptions(ctx));
  try {
    const url = `${server.base}/cachex`;
    for (const route of ['/small', '/big', '/slow']) {
      for (let i = 0; i < 20; i++) await get(server.base + route);
    }
    const first = await load(url);
    for (let i = 0; i < warmUp; i++) await load(url);
    await ctx.idleGate();
    const times = [];
    let page = first.page;
    for (let i = 0; i < loads; i++) {
      const timed = await load(url);
      times.push(timed.ms);
      page = timed.page;
    }
    const listed = (page.match(/<li><a href=/g) ?? []).length;
    // The entries stored, and the three routes' own.
    const shown = Number(/<dd id="entries">(\d+)<\/dd>/.exec(page)?.[1]);
    if (shown !== entries + 3) {
      throw new Error(`the page shows ${shown} entries, expected ${entries + 3}`);
    }
    if (listed === 0) throw new Error('the page lists no key');
    const sorted = [...times].sort((a, b) => a - b);
    return {
      entries: shown,
      loads,
      firstMs: first.ms,
      medianMs: quantile(sorted, 0.5),
      p90Ms: quantile(sorted, 0.9),
      maxMs: sorted[sorted.length - 1],
      pageBytes: Buffer.byteLength(page),
      keysListed: listed,
      startMs: server.startMs,
    };
  } finally {
    await server.stop();
  }
}
