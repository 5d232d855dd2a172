/**
 * RedisBackend's own behaviour on a real server and a real 3-node Cluster:
 * storage layout, indexes, namespaces and isolation, checked through the
 * backend and, where it matters, through a raw ioredis client.
 */
import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { type CacheEntry, CacheXConfigError } from 'nestjs-cachex';
import { RedisBackend } from 'nestjs-cachex/redis';
import { backendCase, backendCases, describeBackend } from '../support/backends.js';
import { sleep } from '../support/time.js';

const redisPort = Number(process.env.CACHEX_REDIS_PORT);
const clusterPorts = process.env.CACHEX_REDIS_CLUSTER_PORTS?.split(',').map(Number) ?? [];

function entry(overrides: Partial<CacheEntry> = {}): CacheEntry {
  return {
    status: 200,
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.from('body'),
    storedAt: Date.now(),
    maxAge: 60,
    ...overrides,
  };
}

const key = (path: string, query = '', method = 'GET', host = 'h:1') =>
  `${method}|||${host}|||${path}|||${query}`;

/** A raw client on the same servers, to look at what the backend wrote. */
function rawClient(cluster: boolean): Redis | Cluster {
  return cluster
    ? new Cluster(clusterPorts.map((port) => ({ host: '127.0.0.1', port })))
    : new Redis({ host: '127.0.0.1', port: redisPort });
}

/** Every key matching a pattern, on every master (SCAN). */
async function rawKeys(client: Redis | Cluster, pattern: string): Promise<string[]> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
  }
  return [...new Set(keys)].sort();
}

async function collect(iterable: AsyncIterable<string> | Promise<string[]>): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of await iterable) keys.push(k);
  return keys.sort();
}

for (const backendCase of backendCases.filter((c) => c.name.startsWith('redis'))) {
  const onCluster = backendCase.name === 'redis-cluster';

  describeBackend(backendCase)(`RedisBackend on ${backendCase.name}`, () => {
    const marker = `m${process.pid}x${Date.now()}`;
    const prefix = `redis-spec:${marker}:`;
    let backend: RedisBackend;
    let raw: Redis | Cluster;

    beforeAll(async () => {
      backend = backendCase.create({ keyPrefix: prefix }) as RedisBackend;
      raw = rawClient(onCluster);
      if (raw instanceof Cluster) await new Promise((resolve) => raw.once('ready', resolve));
    });
    afterAll(async () => {
      await backend.close();
      await raw.quit();
    });
    beforeEach(async () => {
      await backend.clear();
    });

    it('round-trips random binary bodies and every field', async () => {
      for (const size of [0, 1, 255, 4096, 65_537]) {
        const stored = entry({
          body: randomBytes(size),
          headers: { 'content-type': 'image/png', etag: '"x"', 'x-ü': 'ü' },
          staleIfError: 30,
          tags: ['a', 'b'],
          path: '/bin',
          query: `size=${size}`,
        });
        await backend.set(key('/bin', `size=${size}`), stored);
        const found = await backend.get(key('/bin', `size=${size}`));
        expect(Buffer.compare(found!.body, stored.body)).toBe(0);
        expect({ ...found, body: undefined }).toEqual({ ...stored, body: undefined });
      }
    });

    it('stores a 1 MB body compactly (raw bytes, no base64)', async () => {
      const body = randomBytes(1024 * 1024);
      await backend.set(key('/big'), entry({ body }));
      expect(Buffer.compare((await backend.get(key('/big')))!.body, body)).toBe(0);
      const [entryKey] = await rawKeys(raw, `${prefix}rc:*:e:*`);
      const storedBytes = await raw.strlen(entryKey!);
      expect(storedBytes).toBeGreaterThan(body.length);
      expect(storedBytes).toBeLessThan(body.length + 512);
    });

    it('keeps unicode and brace-bearing keys and paths apart', async () => {
      const keys = [
        key('/città/☃', 'q=ü'),
        key('/citta/☃', 'q=ü'),
        key('/{tag}/x', '', 'GET', 'höst:1'),
        'custom-{key}-🐢',
        'custom-{key}-🐢2',
      ];
      for (const [i, k] of keys.entries())
        await backend.set(k, entry({ body: Buffer.from(`#${i}`) }));
      for (const [i, k] of keys.entries()) {
        expect((await backend.get(k))!.body.toString()).toBe(`#${i}`);
      }
      expect(await collect(backend.keys())).toEqual([...keys].sort());
      expect(await backend.clearPath('/città/☃')).toBe(1);
      expect(await backend.get(key('/citta/☃', 'q=ü'))).toBeDefined();
    });

    it('writes every key under its keyPrefix, with Redis expiry', async () => {
      const path = `/prefixed/${marker}`;
      await backend.set(key(path, 'a=1'), entry({ tags: [`tag-${marker}`] }), 30);
      await backend.set(key(path), entry({ maxAge: 10, staleWhileRevalidate: 5 }));
      await backend.namespace('data').set(`k-${marker}`, 'v', 30);
      await backend.namespace('data').setAdd(`s-${marker}`, 'm', 30);
      const written = await rawKeys(raw, `*${marker}*`);
      expect(written.length).toBe(7); // 2 entries, 2 path indexes, 1 tag index, 2 namespace keys
      for (const k of written) {
        expect(k.startsWith(prefix)).toBe(true);
        const pttl = await raw.pttl(k);
        expect(pttl).toBeGreaterThan(0);
        expect(pttl).toBeLessThanOrEqual(30_000);
      }
      const defaultTtlKey = written.find((k) => k.endsWith(`:e:${key(path)}`))!;
      expect(await raw.pttl(defaultTtlKey)).toBeGreaterThan(14_000);
      expect(await raw.pttl(defaultTtlKey)).toBeLessThanOrEqual(15_000);
      await backend.namespace('data').clear();
    });

    it('clearPath removes a path for every method, host and query; includeQuery: false keeps queries', async () => {
      await backend.set(key('/p'), entry());
      await backend.set(key('/p', '', 'GET', 'other:2'), entry());
      await backend.set(key('/p', 'a=1'), entry());
      await backend.set(key('/p', 'b=2'), entry());
      await backend.set(key('/p/child'), entry());
      await backend.set(key('/other'), entry());
      expect(await backend.clearPath('/p', { includeQuery: false })).toBe(2);
      expect(await backend.get(key('/p'))).toBeUndefined();
      expect(await backend.get(key('/p', 'a=1'))).toBeDefined();
      expect(await backend.clearPath('/p')).toBe(2);
      expect(await backend.get(key('/p', 'b=2'))).toBeUndefined();
      expect(await backend.get(key('/p/child'))).toBeDefined();
      expect(await backend.get(key('/other'))).toBeDefined();
      expect(await backend.clearPath('/p')).toBe(0);
    });

    it('clearPath finds entries of a custom key builder through entry.path', async () => {
      await backend.set('user-42:/account', entry({ path: '/account', query: '' }));
      await backend.set('user-43:/account', entry({ path: '/account', query: 'tab=2' }));
      expect(await backend.clearPath('/account', { includeQuery: false })).toBe(1);
      expect(await backend.get('user-42:/account')).toBeUndefined();
      expect(await backend.clearPath('/account')).toBe(1);
      expect(await backend.get('user-43:/account')).toBeUndefined();
    });

    it('a soft clearPath marks entries invalidated and keeps their TTL', async () => {
      await backend.set(key('/soft'), entry(), 30);
      await backend.set(key('/soft', 'x=1'), entry(), 30);
      expect(await backend.clearPath('/soft', { soft: true })).toBe(2);
      const found = await backend.get(key('/soft'));
      expect(found!.invalidated).toBe(true);
      expect(found!.body.toString()).toBe('body');
      const [entryKey] = await rawKeys(raw, `${prefix}rc:*:e:${key('/soft')}`);
      expect(await raw.pttl(entryKey!)).toBeGreaterThan(25_000);
      await backend.set(key('/soft'), entry());
      expect((await backend.get(key('/soft')))!.invalidated).toBeUndefined();
    });

    it('a soft purge does not revive an entry that expired in the meantime', async () => {
      await backend.set(key('/gone'), entry(), 0.2);
      await sleep(400);
      expect(await backend.clearPath('/gone', { soft: true })).toBe(0);
      expect(await rawKeys(raw, `${prefix}rc:*:e:${key('/gone')}`)).toEqual([]);
    });

    it('clearPattern matches paths with the Redis glob dialect and leaves the rest', async () => {
      const paths = ['/api/v1/users', '/api/v1/users/7', '/api/v2/users', '/api/v3/users', '/ap'];
      for (const path of paths) await backend.set(key(path, 'x=1'), entry());
      expect(await backend.clearPattern('/api/v[!3]/users*')).toBe(3);
      expect(await backend.get(key('/api/v3/users', 'x=1'))).toBeDefined();
      expect(await backend.clearPattern('/ap?/v4/users')).toBe(0);
      expect(await backend.clearPattern('/api/v?/users')).toBe(1);
      expect(await backend.clearPattern('/ap')).toBe(1);
      expect(await rawKeys(raw, `${prefix}rc:*`)).toEqual([]);
    });

    it('invalidateTags deletes or marks each tagged entry once', async () => {
      await backend.set(key('/t/1'), entry({ tags: ['all', 'one'] }));
      await backend.set(key('/t/2', 'q'), entry({ tags: ['all'] }));
      await backend.set('custom', entry({ tags: ['all', 'one'] }));
      await backend.set(key('/t/3'), entry({ tags: ['other'] }));
      expect(await backend.invalidateTags(['all', 'one'], { soft: true })).toBe(3);
      expect((await backend.get('custom'))!.invalidated).toBe(true);
      expect((await backend.get(key('/t/3')))!.invalidated).toBeUndefined();
      expect(await backend.invalidateTags(['one', 'all'])).toBe(3);
      expect(await backend.get(key('/t/1'))).toBeUndefined();
      expect(await backend.get(key('/t/3'))).toBeDefined();
      expect(await backend.invalidateTags(['all'])).toBe(0);
      expect(await backend.invalidateTags([])).toBe(0);
    });

    it('clear() removes response entries and indexes only: namespaces and other prefixes stay', async () => {
      const neighbour = backendCase.create({ keyPrefix: `${prefix}neighbour:` });
      const foreign = `${prefix}foreign`;
      try {
        await raw.set(foreign, 'untouched');
        await backend.namespace('session').set('s1', 'alive');
        await backend.namespace('locks').add('l1', 'me', 60);
        await neighbour.set(key('/n'), entry());
        for (let i = 0; i < 25; i++) await backend.set(key(`/c/${i}`, 'q'), entry({ tags: ['t'] }));
        expect(await backend.clear()).toBe(25);
        expect(await rawKeys(raw, `${prefix}rc:*`)).toEqual([]);
        expect(await raw.get(foreign)).toBe('untouched');
        expect(await backend.namespace('session').get('s1')).toBe('alive');
        expect(await backend.namespace('locks').get('l1')).toBe('me');
        expect(await neighbour.get(key('/n'))).toBeDefined();
        expect(await collect(backend.keys())).toEqual([]);
      } finally {
        await raw.unlink(foreign);
        await backend.namespace('session').clear();
        await backend.namespace('locks').clear();
        await neighbour.clear();
        await neighbour.close();
      }
    });

    it('keys() yields every logical key once, each accepted by get()', async () => {
      const keys = Array.from({ length: 1500 }, (_, i) => key(`/many/${i % 7}`, `i=${i}`));
      for (let i = 0; i < keys.length; i += 100) {
        await Promise.all(keys.slice(i, i + 100).map((k) => backend.set(k, entry())));
      }
      const listed = await collect(backend.keys());
      expect(listed).toEqual([...keys].sort());
      for (const k of listed.slice(0, 20)) expect(await backend.get(k)).toBeDefined();
      expect(await backend.clear()).toBe(1500);
    });

    it('a namespace is a string key-value store with sets, locks and globs', async () => {
      const store = backend.namespace('kv');
      const nested = backend.namespace('kv:nested');
      try {
        await store.set('a', 'one');
        expect(await raw.pttl(`${prefix}ns:kv:a`)).toBe(-1);
        await store.set('b', 'two', 1.2);
        expect(await raw.ttl(`${prefix}ns:kv:b`)).toBe(2);
        await nested.set('a', 'nested');

        expect(await store.add('lock', 'owner-1', 5)).toBe(true);
        expect(await store.add('lock', 'owner-2', 5)).toBe(false);
        expect(await store.deleteIfEquals('lock', 'owner-2')).toBe(false);
        expect(await store.get('lock')).toBe('owner-1');
        expect(await store.deleteIfEquals('lock', 'owner-1')).toBe(true);
        expect(await store.add('lock', 'owner-2', 5)).toBe(true);

        await store.setAdd('set', 'x', 10);
        await store.setAdd('set', 'y', 2);
        expect(await raw.ttl(`${prefix}ns:kv:set`)).toBeGreaterThan(8);
        await store.setAdd('set', 'z', 20);
        expect(await raw.ttl(`${prefix}ns:kv:set`)).toBeGreaterThan(18);
        await store.setRemove('set', 'y');
        expect((await store.setMembers('set')).sort()).toEqual(['x', 'z']);
        await store.setAdd('forever', 'x');
        expect(await raw.pttl(`${prefix}ns:kv:forever`)).toBe(-1);

        await store.set('page:1', '1');
        await store.set('page:22', '1');
        await store.set('page*', '1');
        expect(await store.clearPattern('page:?')).toBe(1);
        expect(await store.clearPattern('page\\*')).toBe(1);
        expect(await store.get('page:22')).toBe('1');
        expect(await store.clear()).toBe(6);
        expect(await nested.get('a')).toBe('nested');
        expect(await store.get('a')).toBeUndefined();
      } finally {
        await store.clear();
        await nested.clear();
      }
    });

    it('shares an existing client and leaves it open on close()', async () => {
      const client = rawClient(onCluster);
      const shared = new RedisBackend({ client, keyPrefix: prefix });
      await shared.set(key('/shared'), entry());
      expect(await backend.get(key('/shared'))).toBeDefined();
      await shared.close();
      expect(client.status).toBe('ready');
      expect(await client.ping()).toBe('PONG');
      await client.quit();
    });

    it('closes the client it created', async () => {
      const own = backendCase.create({ keyPrefix: prefix }) as RedisBackend;
      await own.get(key('/x'));
      await own.close();
      await expect(own.get(key('/x'))).rejects.toThrow();
    });
  });
}

describeBackend(backendCase('redis'))('RedisBackend options', () => {
  it('refuses a keyPrefix with hash-tag braces', () => {
    expect(
      () => new RedisBackend({ port: redisPort, keyPrefix: '{app}:', lazyConnect: true }),
    ).toThrow(CacheXConfigError);
  });

  it("refuses a client with ioredis's own keyPrefix, naming the option", async () => {
    const client = new Redis({ port: redisPort, keyPrefix: 'x:', lazyConnect: true });
    expect(() => new RedisBackend({ client })).toThrow(/keyPrefix/);
    client.disconnect();
  });

  it('refuses client and cluster together, and a non-positive commandTimeoutMs', () => {
    const client = new Redis({ port: redisPort, lazyConnect: true });
    expect(() => new RedisBackend({ client, cluster: { nodes: [redisPort] } })).toThrow(
      CacheXConfigError,
    );
    expect(() => new RedisBackend({ client, commandTimeoutMs: 0 })).toThrow(/commandTimeoutMs/);
    client.disconnect();
  });
});
