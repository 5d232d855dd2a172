/**
 * Child process of the clearPath scenario, for one backend: for each count of
 * other entries, fills the backend with them, then repeatedly stores one
 * path's 10 entries (5 hosts, with and without a query) and times
 * `clearPath(path)`. Prints one JSON line.
 * argv: backend (memory|redis|memcached), port, comma-separated counts, repetitions.
 */
import { MemoryBackend } from 'nestjs-cachex';
import { quantile } from '../lib/stats.mjs';

const [kind, port, countsArg, repsArg] = process.argv.slice(2);
const counts = countsArg.split(',').map(Number);
const reps = Number(repsArg);
const PATH = '/catalogue/target';
const FILL_CONCURRENCY = 200;

const entry = (path, query) => ({
  status: 200,
  headers: { 'content-type': 'application/json; charset=utf-8', etag: '"abcdefabcdefabcdef"' },
  body: Buffer.from(
    '{"id":1,"name":"clear path entry","ok":true,"padding":"xxxxxxxxxxxxxxxxxxxx"}',
  ),
  storedAt: Date.now(),
  maxAge: 600,
  path,
  query,
});
const key = (host, path, query) => `GET|||${host}|||${path}|||${query}`;

async function makeBackend() {
  if (kind === 'memory') return new MemoryBackend({ maxEntries: 200_000, maxBytes: 1024 ** 3 });
  if (kind === 'redis') {
    const { Redis } = await import('ioredis');
    const admin = new Redis({ host: '127.0.0.1', port: Number(port) });
    await admin.flushall();
    await admin.quit();
    const { RedisBackend } = await import('nestjs-cachex/redis');
    return new RedisBackend({ host: '127.0.0.1', port: Number(port), commandTimeoutMs: 10_000 });
  }
  if (kind === 'memcached') {
    const { MemcachedBackend } = await import('nestjs-cachex/memcached');
    const backend = new MemcachedBackend({ servers: [`127.0.0.1:${port}`], timeoutMs: 10_000 });
    await backend.clear();
    return backend;
  }
  throw new Error(`unknown backend ${kind}`);
}

/** Stores `count` entries on other paths, FILL_CONCURRENCY at a time. */
async function fill(backend, count) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const path = `/catalogue/other-${i}`;
      const query = i % 2 ? `page=${i % 7}` : '';
      await backend.set(key(`host-${i % 5}:80`, path, query), entry(path, query));
    }
  };
  await Promise.all(Array.from({ length: FILL_CONCURRENCY }, worker));
}

/** One throwaway pass first: JIT, connections and scripts warm, not timed. */
async function warmUp() {
  const backend = await makeBackend();
  for (let rep = 0; rep < 100; rep++) {
    for (let i = 0; i < 10; i++) await backend.set(key(`host-${i}:80`, PATH, ''), entry(PATH, ''));
    await backend.clearPath(PATH);
  }
  await backend.close();
}

await warmUp();
const results = [];
for (const others of counts) {
  const backend = await makeBackend();
  const fillStarted = Date.now();
  await fill(backend, others);
  const fillSeconds = (Date.now() - fillStarted) / 1000;
  const times = [];
  let removed;
  for (let rep = 0; rep < reps; rep++) {
    for (let i = 0; i < 10; i++) {
      const query = i % 2 ? `page=${i}` : '';
      await backend.set(key(`host-${i >> 1}:80`, PATH, query), entry(PATH, query));
    }
    const started = process.hrtime.bigint();
    removed = await backend.clearPath(PATH);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  await backend.close();
  const sorted = [...times].sort((a, b) => a - b);
  results.push({
    others,
    reps,
    removed,
    fillSeconds,
    medianMs: quantile(sorted, 0.5),
    p10Ms: quantile(sorted, 0.1),
    p90Ms: quantile(sorted, 0.9),
    minMs: sorted[0],
  });
}
process.stdout.write(`${JSON.stringify({ backend: kind, results })}\n`);
