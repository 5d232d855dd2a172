/**
 * Starts the servers the backend suites need and tells them where through
 * environment variables (Jest workers inherit them):
 * CACHEX_REDIS_PORT, CACHEX_REDIS_CLUSTER_PORTS, CACHEX_MEMCACHED_SERVERS.
 * A missing binary is a loud skip on a developer machine and a failure under CI=true.
 */
import { hasBinary, startMemcached, startRedis, startRedisCluster } from './servers.mjs';

export default async function globalSetup() {
  /** @type {import('./servers.mjs').ServerHandle[]} */
  const handles = [];
  globalThis.__CACHEX_SERVERS__ = handles;
  const missing = [];

  if ((await hasBinary('redis-server')) && (await hasBinary('redis-cli'))) {
    const redis = await startRedis();
    handles.push(redis);
    process.env.CACHEX_REDIS_PORT = String(redis.port);
    const cluster = await startRedisCluster();
    handles.push(...cluster);
    process.env.CACHEX_REDIS_CLUSTER_PORTS = cluster.map((n) => n.port).join(',');
  } else missing.push('redis-server/redis-cli');

  if (await hasBinary('memcached')) {
    const servers = [await startMemcached(), await startMemcached()];
    handles.push(...servers);
    process.env.CACHEX_MEMCACHED_SERVERS = servers.map((s) => `127.0.0.1:${s.port}`).join(',');
  } else missing.push('memcached');

  if (missing.length > 0) {
    const message = `${missing.join(' and ')} not found: the Redis/Memcached suites are SKIPPED. Install them with: apt-get install -y redis-server memcached`;
    if (process.env.CI === 'true') {
      await Promise.all(handles.map((h) => h.stop()));
      throw new Error(`CI=true and ${message}`);
    }
    console.warn(`\n${'!'.repeat(80)}\n${message}\n${'!'.repeat(80)}\n`);
  }
}
