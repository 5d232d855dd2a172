/**
 * What a test's own redis-server or memcached has done, read from the server
 * itself: proof that a request made no network call, or that a subscription
 * is in place.
 */
import { Redis } from 'ioredis';
import { createConnection } from 'node:net';

async function withRedis<T>(port: number, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/** Commands the Redis at `port` has run, leaving out what connecting and counting cost (HELLO, INFO). */
export function redisCommandCount(port: number): Promise<number> {
  return withRedis(port, async (client) => {
    const stats = await client.info('commandstats');
    let calls = 0;
    for (const [, name, count] of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (name !== 'info' && name !== 'hello') calls += Number(count);
    }
    return calls;
  });
}

/** Connections subscribed to `channel` on the Redis at `port` (0 when it does not answer). */
export function redisSubscribers(port: number, channel: string): Promise<number> {
  return withRedis(port, async (client) => {
    const [, count] = (await client.pubsub('NUMSUB', channel)) as [string, number];
    return Number(count);
  }).catch(() => 0);
}

/**
 * The counters of the memcached at `server` (`host:port`), read at one moment
 * (`stats`, over the text protocol): a lookup that throws for a name it lacks.
 */
function memcachedStats(server: string): Promise<(name: string) => number> {
  const [host, port] = server.split(':');
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = createConnection({ host, port: Number(port) }, () => socket.write('stats\r\n'));
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (!text.endsWith('END\r\n')) return;
      socket.destroy();
      resolve((name) => {
        const value = new RegExp(`^STAT ${name} (\\d+)`, 'm').exec(text)?.[1];
        if (value === undefined) throw new Error(`no stat ${name}`);
        return Number(value);
      });
    });
  });
}

/** A counter from the `stats` of the memcached at `server` (`host:port`), e.g. `total_items`, `cmd_get`. */
export async function memcachedStat(server: string, name: string): Promise<number> {
  return (await memcachedStats(server))(name);
}

/** Reads and writes the memcached at `port` has served (`stats`: cmd_get + cmd_set + cmd_touch). */
export async function memcachedCommandCount(port: number): Promise<number> {
  const stat = await memcachedStats(`127.0.0.1:${port}`);
  return stat('cmd_get') + stat('cmd_set') + stat('cmd_touch');
}
