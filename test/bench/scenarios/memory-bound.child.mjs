/**
 * Child process of the memory-bound scenario: `keys` distinct entries with
 * ~1 KB bodies, built as the interceptor builds them (Buffer.from of the JSON),
 * each with its gzip and br variants as the interceptor keeps them (issue 14:
 * their bytes count against the bound too), through one MemoryBackend
 * bounded by `maxBytes`. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { MemoryBackend } from 'nestjs-cachex';

const [keys, maxBytes, maxEntries] = process.argv.slice(2).map(Number);
const rss = () => process.memoryUsage().rss;
const peakFromKernel = () => {
  try {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kib ? Number(kib) * 1024 : undefined;
  } catch {
    return undefined;
  }
};

const padding = 'x'.repeat(980);
// One entry's variants, copied per entry (compressing a million bodies would time zlib, not memory).
const sample = Buffer.from(JSON.stringify({ id: 0, padding }), 'utf8');
const variants = { br: brotliCompressSync(sample), gzip: gzipSync(sample) };
globalThis.gc?.();
const baseline = rss();
const backend = new MemoryBackend({ maxBytes, maxEntries, cleanupIntervalMs: 0 });
let peak = baseline;
const started = process.hrtime.bigint();
for (let i = 0; i < keys; i++) {
  const body = Buffer.from(JSON.stringify({ id: i, padding }), 'utf8');
  await backend.set(`GET|||bench.local:80|||/items/${i}|||`, {
    status: 200,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      etag: `"${i.toString(36).padStart(27, '0')}"`,
      'last-modified': new Date(1_700_000_000_000 + i).toUTCString(),
    },
    body,
    encoded: { br: Buffer.from(variants.br), gzip: Buffer.from(variants.gzip) },
    storedAt: Date.now(),
    maxAge: 300,
    path: `/items/${i}`,
    query: '',
  });
  if (i % 5000 === 0) peak = Math.max(peak, rss());
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
peak = Math.max(peak, rss());
let kept = 0;
for await (const key of await backend.keys()) kept += key ? 1 : 0;
const afterStorm = rss();
globalThis.gc?.();
const afterGc = rss();
process.stdout.write(
  `${JSON.stringify({
    keys,
    maxBytes,
    maxEntries,
    bodyBytes: Buffer.byteLength(JSON.stringify({ id: 0, padding })),
    variantBytes: variants.br.length + variants.gzip.length,
    baselineRssBytes: baseline,
    peakRssBytes: Math.max(peak, peakFromKernel() ?? 0),
    rssAfterStormBytes: afterStorm,
    rssAfterGcBytes: afterGc,
    entriesKept: kept,
    insertSeconds: seconds,
  })}\n`,
);
await backend.close();
