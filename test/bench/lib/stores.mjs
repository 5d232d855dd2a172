/**
 * The Redis and Memcached servers the benchmark starts for itself (through
 * test/setup/servers.mjs, on free loopback ports), pinned to the load
 * generator's core, and emptied before each measurement.
 */
import { Redis } from 'ioredis';
import { execFile } from 'node:child_process';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';
import { hasBinary, startMemcached, startRedis } from '../../setup/servers.mjs';
import { ownPids, pin } from './machine.mjs';

const run = promisify(execFile);
/** The Debian packages that bring each server binary. */
const PACKAGES = { 'redis-server': ['redis-server', 'redis-tools'], memcached: ['memcached'] };

/**
 * On a fresh machine, installs the missing servers with apt-get when it can
 * without asking (as root, or with password-less sudo); BENCH_INSTALL=0 skips it.
 */
async function installMissing(log) {
  const missing = [];
  for (const binary of Object.keys(PACKAGES)) if (!(await hasBinary(binary))) missing.push(binary);
  if (missing.length === 0 || process.env.BENCH_INSTALL === '0' || !(await hasBinary('apt-get')))
    return;
  const asRoot = process.getuid?.() === 0;
  if (
    !asRoot &&
    !(await run('sudo', ['-n', 'true']).then(
      () => true,
      () => false,
    ))
  )
    return;
  const apt = (...args) =>
    asRoot
      ? run('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
      : run('sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]);
  const packages = missing.flatMap((binary) => PACKAGES[binary]);
  log(`  installing ${packages.join(', ')} with apt-get (BENCH_INSTALL=0 skips this) …`);
  try {
    await apt('update', '-qq');
    await apt('install', '-y', '-qq', '--no-install-recommends', ...packages);
  } catch (error) {
    log(
      `! apt-get failed: ${String(error.stderr || error.message)
        .trim()
        .split('\n')
        .pop()}`,
    );
  }
}

/** Starts the servers, installing them first where it can; says how to install what is still missing. */
export async function startStores({ core, log }) {
  await installMissing(log);
  const stores = { redis: undefined, memcached: undefined, missing: [] };
  if (await hasBinary('redis-server')) {
    const handle = await startRedis();
    ownPids.add(handle.process.pid);
    pin(handle.process.pid, core);
    const client = new Redis({ host: '127.0.0.1', port: handle.port, lazyConnect: true });
    await client.connect();
    stores.redis = { port: handle.port, handle, client };
  } else {
    stores.missing.push('redis-server');
  }
  if (await hasBinary('memcached')) {
    const handle = await startMemcached();
    ownPids.add(handle.process.pid);
    pin(handle.process.pid, core);
    stores.memcached = { port: handle.port, handle };
  } else {
    stores.missing.push('memcached');
  }
  if (stores.missing.length > 0) {
    log(
      `! ${stores.missing.join(' and ')} not found: the variants that need them are skipped.\n` +
        `  Install with: sudo apt-get install -y redis-server memcached`,
    );
  }
  return stores;
}

/** Empties Redis (FLUSHALL) and/or Memcached (flush_all) before a measurement. */
export async function flushStores(stores, needs) {
  if (needs.includes('redis') && stores.redis) await stores.redis.client.flushall();
  if (needs.includes('memcached') && stores.memcached) {
    await memcachedCommand(stores.memcached.port, 'flush_all');
  }
}

/** One text-protocol command to memcached; resolves to its answer. */
export function memcachedCommand(port, command) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      answer += chunk;
      if (/(^|\r\n)(OK|END|ERROR|CLIENT_ERROR[^\r]*|SERVER_ERROR[^\r]*)\r\n$/.test(answer)) {
        socket.end();
        resolve(answer);
      }
    });
    socket.on('error', reject);
  });
}

/** Counters from memcached's `stats`. */
export async function memcachedStats(port) {
  const answer = await memcachedCommand(port, 'stats');
  const stats = {};
  for (const line of answer.split('\r\n')) {
    const [tag, name, value] = line.split(' ');
    if (tag === 'STAT') stats[name] = Number(value);
  }
  return stats;
}

/** Commands Redis has executed, from INFO commandstats, INFO itself left out. */
export async function redisCommandCount(client) {
  let total = 0;
  const byCommand = {};
  for (const line of (await client.info('commandstats')).split('\r\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (!match || match[1] === 'info') continue;
    byCommand[match[1]] = Number(match[2]);
    total += Number(match[2]);
  }
  return { total, byCommand };
}

export async function stopStores(stores) {
  if (stores.redis) {
    await stores.redis.client.quit().catch(() => stores.redis.client.disconnect());
    await stores.redis.handle.stop();
  }
  if (stores.memcached) await stores.memcached.handle.stop();
}
