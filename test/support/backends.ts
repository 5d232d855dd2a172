/**
 * The backends every shared suite runs against (the keyv idea: one behaviour
 * suite, every storage). Redis, Redis Cluster and Memcached appear when the
 * global setup started their servers; otherwise they are listed as skipped.
 * CACHEX_BACKENDS=memory,redis (a comma list) narrows a local run.
 */
import { type CacheBackend, MemoryBackend } from 'nestjs-cachex';
import type { BackendCapabilities } from 'nestjs-cachex/testing';
import { type Platform, platforms } from './cache-app.js';

/** A named way to make a backend; `options` go to its constructor. */
export interface BackendCase {
  name: 'memory' | 'redis' | 'redis-cluster' | 'memcached';
  /** Whether its server runs here. */
  available: boolean;
  /**
   * What it can do, as the conformance suite's flags say (unset: yes), so a
   * suite expects one answer per backend, never "either n or -1".
   */
  capabilities: BackendCapabilities;
  create(options?: { keyPrefix?: string }): CacheBackend;
}

/** What a purge of `n` entries resolves to on `backend`: `n`, or `-1` when it cannot count. */
export const purgeCount = (backend: BackendCase, n: number): number =>
  backend.capabilities.counts === false ? -1 : n;

/**
 * Bound on backend calls in the behaviour suites: generous, so a loaded CI
 * machine does not turn a slow answer into a failed test. The fault suites
 * test the small default bounds with servers of their own.
 */
export const TEST_TIMEOUT_MS = 2000;

const wanted = process.env.CACHEX_BACKENDS?.split(',');
const wants = (name: BackendCase['name']) => wanted === undefined || wanted.includes(name);
const redisPort = process.env.CACHEX_REDIS_PORT;
const clusterPorts = process.env.CACHEX_REDIS_CLUSTER_PORTS?.split(',').map(Number);
const memcachedServers = process.env.CACHEX_MEMCACHED_SERVERS?.split(',');
// Loaded only when wanted, so a Memory-only run needs neither client library.
const { RedisBackend } =
  wants('redis') || wants('redis-cluster') ? await import('nestjs-cachex/redis') : ({} as never);
const { MemcachedBackend } = wants('memcached')
  ? await import('nestjs-cachex/memcached')
  : ({} as never);

/** Every backend case, in a fixed order; one CACHEX_BACKENDS leaves out is unavailable. */
const allCases: BackendCase[] = (
  [
    {
      name: 'memory',
      available: true,
      capabilities: {},
      create: (options) => new MemoryBackend(options),
    },
    {
      name: 'redis',
      available: redisPort !== undefined,
      capabilities: {},
      create: (options) =>
        new RedisBackend({ host: '127.0.0.1', port: Number(redisPort), ...options }),
    },
    {
      name: 'redis-cluster',
      available: clusterPorts !== undefined,
      capabilities: {},
      create: (options) =>
        new RedisBackend({
          cluster: { nodes: clusterPorts!.map((port) => ({ host: '127.0.0.1', port })) },
          ...options,
        }),
    },
    {
      name: 'memcached',
      available: memcachedServers !== undefined,
      // Purges bump generations (one write, uncountable): -1. No key listing, so
      // no keys() and no globs; clearPath without the query is one generation.
      capabilities: { counts: false, listsKeys: false, globs: false },
      create: (options) =>
        new MemcachedBackend({
          servers: memcachedServers!,
          timeoutMs: TEST_TIMEOUT_MS,
          ...options,
        }),
    },
  ] satisfies BackendCase[]
).map((backend) => (wants(backend.name) ? backend : { ...backend, available: false }));

/** The backend cases this run covers (all, unless CACHEX_BACKENDS narrows them). */
export const backendCases: BackendCase[] = allCases.filter((backend) => wants(backend.name));

/** The case named `name`, for a suite of that backend alone (skipped when left out). */
export const backendCase = (name: BackendCase['name']): BackendCase =>
  allCases.find((backend) => backend.name === name)!;

/** `describe` for an available backend, a loud `describe.skip` otherwise. */
export function describeBackend(backend: BackendCase): typeof describe | typeof describe.skip {
  if (backend.available) return describe;
  if (!wants(backend.name)) {
    console.warn(`SKIPPED: ${backend.name}, left out by CACHEX_BACKENDS`);
    return describe.skip;
  }
  if (process.env.CI === 'true')
    throw new Error(`CI=true but the ${backend.name} server is missing`);
  console.warn(`SKIPPED: no ${backend.name} server here (install redis-server and memcached)`);
  return describe.skip;
}

/**
 * A describe per backend case and platform, titled `<title> on <backend>,
 * <platform>` (each skipped loudly where its backend's server is absent): the
 * grid every e2e suite runs on.
 */
export function describeEachBackend(
  title: string,
  suite: (backendCase: BackendCase, platform: Platform) => void,
): void {
  for (const backendCase of backendCases) {
    describeBackend(backendCase).each(platforms)(
      `${title} on ${backendCase.name}, %s`,
      (platform) => suite(backendCase, platform),
    );
  }
}
