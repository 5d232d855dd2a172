/**
 * One server variant in its own process, pinned to the server core: started
 * fresh for every measurement, stopped after it. A process may start up on
 * another core (`bootCore`), and with `background` at the lowest priority
 * there, so that it starts up beside another measurement while taking only
 * the CPU time nothing else wants; `settle()` then moves it to its own core at
 * normal priority (done by the first use, outside any measurement).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { backgroundCommand, ownPids, pin, pinnedCommand, restorePriority } from './machine.mjs';

/**
 * How each variant is started: its compiled entry point, its environment and
 * the stores it needs. A Nest variant and its Fastify twin share one entry
 * (one module definition); BENCH_PLATFORM=fastify picks the adapter.
 * `platform` names the HTTP platform; `bare` marks the apps without Nest;
 * `scenario` a variant only a scenario of its own starts.
 */
const FASTIFY = { BENCH_PLATFORM: 'fastify' };
export const VARIANTS = {
  'nest-nocache': { entry: 'nest-nocache.server.js', platform: 'express', needs: [] },
  'cache-manager-memory': {
    entry: 'cache-manager.server.js',
    env: { BENCH_STORE: 'memory' },
    platform: 'express',
    needs: [],
  },
  'cache-manager-redis': {
    entry: 'cache-manager.server.js',
    env: { BENCH_STORE: 'redis' },
    platform: 'express',
    needs: ['redis'],
  },
  'cachex-memory': {
    entry: 'cachex.server.js',
    env: { BENCH_STORE: 'memory' },
    platform: 'express',
    needs: [],
  },
  // What counting costs: cachex-memory with a CacheXMetrics that records nothing.
  'cachex-memory-nometrics': {
    entry: 'cachex.server.js',
    env: { BENCH_STORE: 'memory', BENCH_METRICS: 'off' },
    platform: 'express',
    needs: [],
  },
  'cachex-redis': {
    entry: 'cachex.server.js',
    env: { BENCH_STORE: 'redis' },
    platform: 'express',
    needs: ['redis'],
  },
  'cachex-memcached': {
    entry: 'cachex.server.js',
    env: { BENCH_STORE: 'memcached' },
    platform: 'express',
    needs: ['memcached'],
  },
  'cachex-tiered-redis': {
    entry: 'cachex.server.js',
    env: { BENCH_STORE: 'tiered' },
    platform: 'express',
    needs: ['redis'],
  },
  // Started by scenarios/admin-page.mjs only (`scenario`): no throughput, stampede or round trips.
  'cachex-admin': {
    entry: 'cachex-admin.server.js',
    env: { BENCH_ADMIN_ENTRIES: '100000' },
    platform: 'express',
    scenario: true,
    needs: [],
  },
  // Compressed variants (issue 14), each behind the `compression` middleware (`scenario`: scenarios/compressed.mjs).
  'cachex-compress': {
    entry: 'cachex.server.js',
    env: { BENCH_STORE: 'memory', BENCH_COMPRESSION_MIDDLEWARE: '1' },
    platform: 'express',
    needs: [],
    scenario: true,
  },
  'cachex-nocompress': {
    entry: 'cachex.server.js',
    env: {
      BENCH_STORE: 'memory',
      BENCH_COMPRESSION_MIDDLEWARE: '1',
      BENCH_CACHE_COMPRESSION: 'off',
    },
    platform: 'express',
    needs: [],
    scenario: true,
  },
  'cache-manager-compress': {
    entry: 'cache-manager.server.js',
    env: { BENCH_STORE: 'memory', BENCH_COMPRESSION_MIDDLEWARE: '1' },
    platform: 'express',
    needs: [],
    scenario: true,
  },
  'express-bare': { entry: 'express-bare.server.js', platform: 'express', bare: true, needs: [] },
  'nest-fastify-nocache': {
    entry: 'nest-nocache.server.js',
    env: FASTIFY,
    platform: 'fastify',
    needs: [],
  },
  'cache-manager-fastify-memory': {
    entry: 'cache-manager.server.js',
    env: { ...FASTIFY, BENCH_STORE: 'memory' },
    platform: 'fastify',
    needs: [],
  },
  'cachex-fastify-memory': {
    entry: 'cachex.server.js',
    env: { ...FASTIFY, BENCH_STORE: 'memory' },
    platform: 'fastify',
    needs: [],
  },
  'cachex-fastify-redis': {
    entry: 'cachex.server.js',
    env: { ...FASTIFY, BENCH_STORE: 'redis' },
    platform: 'fastify',
    needs: ['redis'],
  },
  'fastify-bare': { entry: 'fastify-bare.server.js', platform: 'fastify', bare: true, needs: [] },
};

/** The Nest app without a cache and the bare app on a variant's platform (the ratios' baselines). */
export function baselinesOf(variant) {
  const fastify = VARIANTS[variant]?.platform === 'fastify';
  return {
    nocache: fastify ? 'nest-fastify-nocache' : 'nest-nocache',
    bare: fastify ? 'fastify-bare' : 'express-bare',
  };
}

const READY = /^BENCH_READY (\d+)$/m;

/** Server processes started and not yet stopped, for `stopAllServers()` on an interrupt. */
const live = new Set();

/** Kills every server process still running (SIGKILL: used when the run is interrupted). */
export function stopAllServers() {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/**
 * Starts a variant and resolves once it listens.
 * @param {string} variant
 * @param {{ serversDir: string, core: number, bootCore?: number, background?: boolean, redisPort?: number, memcachedPort?: number }} options
 */
/** The server options every part of the run uses: its cores and the stores' ports. */
export function serverOptions(ctx) {
  return {
    serversDir: ctx.serversDir,
    core: ctx.serverCore,
    bootCore: ctx.loadCore,
    redisPort: ctx.stores.redis?.port,
    memcachedPort: ctx.stores.memcached?.port,
  };
}

export function startServer(
  variant,
  { serversDir, core, bootCore = core, background = false, redisPort, memcachedPort, env },
) {
  const spec = VARIANTS[variant];
  if (!spec) throw new Error(`unknown variant ${variant}`);
  const argv = [process.execPath, join(serversDir, spec.entry)];
  const low = background ? backgroundCommand(bootCore, argv) : undefined;
  const [command, args] = low ?? pinnedCommand(bootCore, argv);
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      ...spec.env,
      ...(redisPort && { BENCH_REDIS_PORT: String(redisPort) }),
      ...(memcachedPort && { BENCH_MEMCACHED_PORT: String(memcachedPort) }),
      ...env,
    },
  });
  live.add(child);
  // Its CPU time is the benchmark's own from the start, not outside load.
  ownPids.add(child.pid);
  child.once('exit', () => {
    live.delete(child);
    ownPids.delete(child.pid);
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const started = Date.now();

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${variant} did not start within 30 s:\n${stderr}`));
    }, 30_000);
    // Rejecting after the promise resolved is a no-op: a later exit shows in alive().
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${variant} exited (${code ?? signal}) before listening:\n${stderr}`));
    });
    child.stdout.on('data', () => {
      const match = READY.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      let settled = false;
      /** Moves it to its core (all its threads; later ones inherit) at normal priority. */
      const settle = () => {
        if (settled) return;
        settled = true;
        if (low) restorePriority(child.pid);
        if (bootCore !== core) pin(child.pid, core);
      };
      // A background start is settled by its first use, which may be much later.
      if (!low) settle();
      const port = Number(match[1]);
      const base = `http://127.0.0.1:${port}`;
      resolve({
        variant,
        pid: child.pid,
        port,
        base,
        startMs: Date.now() - started,
        settle,
        stderr: () => stderr,
        alive: () => child.exitCode === null && child.signalCode === null,
        /** Handler runs so far, from GET /__runs. */
        runs: async () => (await fetch(`${base}/__runs`)).json(),
        /** SIGKILL: nothing of the process is needed any more, and a graceful close takes time. */
        stop: async () => {
          ownPids.delete(child.pid);
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGKILL');
          await exited;
        },
      });
    });
  });
}

/**
 * Runs `use(server, variant, nextReady)` for each variant in a fresh process.
 * The next variant's process starts up (on `bootCore`) while `use` runs;
 * `use` calls `nextReady()` before anything that start-up would disturb.
 * @param {string[]} variants
 * @param {Parameters<typeof startServer>[1]} options
 * @param {(server: any, variant: string, nextReady: () => Promise<void>) => Promise<void>} use
 */
export async function eachFreshServer(variants, options, use) {
  let starting = variants.length > 0 ? startServer(variants[0], options) : undefined;
  for (let i = 0; i < variants.length; i++) {
    const server = await starting;
    starting = i + 1 < variants.length ? startServer(variants[i + 1], options) : undefined;
    starting?.catch(() => undefined); // reported when awaited
    const nextReady = async () => {
      await starting?.catch(() => undefined);
    };
    try {
      await use(server, variants[i], nextReady);
    } finally {
      await server.stop();
    }
  }
}
