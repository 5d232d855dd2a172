/**
 * The three routes every variant serves, with the same bytes, and how many
 * times each handler ran. `/big` is built afresh on every call, as a handler
 * reading a database would.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Handler runs per route since the process started. */
export const runs = { small: 0, big: 0, slow: 0 };

/** Items in `/big`: about 64 KB of JSON. */
const BIG_ITEMS = 755;

/** `GET /small`: a ~40-byte JSON object. */
export function small(): object {
  runs.small++;
  return { id: 1, name: 'small payload', ok: true };
}

/** `GET /big`: a ~64 KB JSON array, built per request. */
export function big(): object[] {
  runs.big++;
  const items = new Array<object>(BIG_ITEMS);
  for (let i = 0; i < BIG_ITEMS; i++) {
    items[i] = {
      id: i,
      sku: `SKU-${String(i).padStart(6, '0')}`,
      name: `Product number ${i}`,
      price: ((i * 137) % 10_000) / 100,
      inStock: i % 3 !== 0,
    };
  }
  return items;
}

/** `GET /slow`: waits 20 ms, like a database call, then a small object. */
export async function slow(): Promise<object> {
  runs.slow++;
  await sleep(20);
  return { id: 2, name: 'slow payload', ok: true };
}

/** What `GET /__runs` answers (never cached). */
export function runCounts(): object {
  return { ...runs, pid: process.pid, rssBytes: process.memoryUsage().rss };
}

/** Tells the orchestrator the server listens, on which port. */
export function announce(port: number): void {
  process.stdout.write(`BENCH_READY ${port}\n`);
}
