/**
 * MemcachedBackend on the two real memcached servers of the global setup:
 * binary-safe round trips, key hashing, the item size limit, generation-based
 * purges, the namespaces' key-value operations, and what memcached refuses.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { type CacheBackend, type CacheEntry, CacheXUnsupportedError } from 'nestjs-cachex';
import { MemcachedBackend } from 'nestjs-cachex/memcached';
import memjs from 'memjs';
import { backendCase, describeBackend } from '../support/backends.js';
import { memcachedStat } from '../support/server-stats.js';
import { sleep } from '../support/time.js';
import { startMemcached, type ServerHandle } from '../setup/servers.mjs';

const memcached = backendCase('memcached');
const servers = process.env.CACHEX_MEMCACHED_SERVERS?.split(',') ?? [];

/** A logical key as `defaultKeyBuilder` makes it. */
const keyOf = (path: string, query = '', host = 'shop.example:8080', method = 'GET'): string =>
  [method, host, path, query].join('|||');

const entryOf = (body: Buffer | string, fields: Partial<CacheEntry> = {}): CacheEntry => ({
  status: 200,
  headers: { 'content-type': 'application/octet-stream', etag: '"x"' },
  body: Buffer.from(body),
  storedAt: Date.now(),
  maxAge: 60,
  ...fields,
});

const storedItems = (server: string) => memcachedStat(server, 'total_items');

describeBackend(memcached)('MemcachedBackend on real memcached', () => {
  const open: CacheBackend[] = [];
  /**
   * A backend with a prefix of its own, closed after the test. The bound is
   * generous: these tests are about behaviour, on a machine other suites load.
   */
  const make = (options: Record<string, unknown> = {}, prefix = `mc-${randomUUID()}:`) => {
    const backend = new MemcachedBackend({
      servers,
      keyPrefix: prefix,
      timeoutMs: 3000,
      ...options,
    });
    open.push(backend);
    return backend;
  };
  let backend: CacheBackend;

  beforeEach(() => {
    backend = make();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  describe('round trips', () => {
    it('stores random binary bodies byte for byte, with every field', async () => {
      const body = randomBytes(64 * 1024);
      const entry = entryOf(body, {
        status: 203,
        headers: { 'content-type': 'image/png', 'x-note': 'żółw 🐢' },
        staleWhileRevalidate: 30,
        staleIfError: 120,
        tags: ['a', 'b'],
        path: '/img',
        query: 'w=10',
      });
      await backend.set(keyOf('/img', 'w=10'), entry);
      const got = await backend.get(keyOf('/img', 'w=10'));
      expect(got).toEqual(entry);
      expect(Buffer.compare(got!.body, body)).toBe(0);
    });

    it('stores an empty body', async () => {
      await backend.set(keyOf('/empty'), entryOf(''));
      expect((await backend.get(keyOf('/empty')))?.body.length).toBe(0);
    });

    it('keeps unicode keys and paths apart and round-trips them', async () => {
      const a = keyOf('/ünïcödé/路径', 'q=✓', 'hôst.example');
      const b = keyOf('/ünïcödé/路径', 'q=✗', 'hôst.example');
      await backend.set(a, entryOf('a'));
      await backend.set(b, entryOf('b'));
      expect((await backend.get(a))?.body.toString()).toBe('a');
      expect((await backend.get(b))?.body.toString()).toBe('b');
      expect(await backend.get(keyOf('/ünïcödé/路径'))).toBeUndefined();
    });

    it('hashes keys longer than 250 bytes, keeping keys that differ only at the end apart', async () => {
      const long = '/' + 'x'.repeat(600);
      const a = keyOf(long, 'page=1');
      const b = keyOf(long, 'page=2');
      await backend.set(a, entryOf('one'));
      await backend.set(b, entryOf('two'));
      expect((await backend.get(a))?.body.toString()).toBe('one');
      expect((await backend.get(b))?.body.toString()).toBe('two');
      await backend.clearPath(long);
      expect(await backend.get(a)).toBeUndefined();
    });

    it('keeps keys with spaces and control characters valid', async () => {
      const key = keyOf('/a b\tc\n', 'x= y');
      await backend.set(key, entryOf('spaced'));
      expect((await backend.get(key))?.body.toString()).toBe('spaced');
    });

    it('stores a 900 KB body', async () => {
      const body = randomBytes(900 * 1024);
      await backend.set(keyOf('/large'), entryOf(body));
      const got = await backend.get(keyOf('/large'));
      expect(got && Buffer.compare(got.body, body)).toBe(0);
    });

    it('skips a body over 1 MB without throwing, logs it, and drops the older entry of that key', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        await backend.set(keyOf('/huge'), entryOf('small, older'));
        await expect(
          backend.set(keyOf('/huge'), entryOf(randomBytes(1024 * 1024 + 1))),
        ).resolves.toBeUndefined();
        expect(await backend.get(keyOf('/huge'))).toBeUndefined();
        await backend.set(keyOf('/huge'), entryOf(randomBytes(1024 * 1024 + 1)));
        // Rate-limited: one line for both refusals.
        expect(logged).toHaveBeenCalledTimes(1);
        expect(String(logged.mock.calls[0]![0])).toMatch(
          /not caching a response of \/huge: 1048577 bytes/,
        );
      } finally {
        logged.mockRestore();
      }
    });

    it('skips an entry whose stored form just exceeds maxValueBytes', async () => {
      const small = make({ maxValueBytes: 10_000 });
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      await small.set(keyOf('/edge'), entryOf(randomBytes(9_990)));
      expect(logged).toHaveBeenCalledTimes(1);
      logged.mockRestore();
      expect(await small.get(keyOf('/edge'))).toBeUndefined();
      await small.set(keyOf('/edge'), entryOf(randomBytes(5_000)));
      expect(await small.get(keyOf('/edge'))).toBeDefined();
    });

    it('keeps an entry that fits only without its compressed variants, without them', async () => {
      const small = make({ maxValueBytes: 10_000 });
      const body = randomBytes(6_000);
      const encoded = { br: randomBytes(3_000), gzip: randomBytes(3_000) };
      await small.set(keyOf('/variants'), entryOf(body, { encoded }));
      const got = await small.get(keyOf('/variants'));
      expect(got && Buffer.compare(got.body, body)).toBe(0);
      expect(got?.encoded).toBeUndefined();
      const fits = { gzip: randomBytes(2_000) };
      await small.set(keyOf('/variants'), entryOf(body, { encoded: fits }));
      expect((await small.get(keyOf('/variants')))?.encoded?.['gzip']?.equals(fits.gzip)).toBe(
        true,
      );
    });

    it('deletes one entry, true only when there was one', async () => {
      await backend.set(keyOf('/d'), entryOf('d'));
      expect(await backend.delete(keyOf('/d'))).toBe(true);
      expect(await backend.get(keyOf('/d'))).toBeUndefined();
      expect(await backend.delete(keyOf('/d'))).toBe(false);
    });

    it('expires entries with their lifetime, and stores nothing for a lifetime of 0', async () => {
      // memcached counts whole seconds: a lifetime of 1 lasts between 1 and 2 seconds.
      await backend.set(keyOf('/short'), entryOf('s', { maxAge: 1 }));
      await backend.set(keyOf('/zero'), entryOf('z', { maxAge: 0 }));
      expect(await backend.get(keyOf('/short'))).toBeDefined();
      expect(await backend.get(keyOf('/zero'))).toBeUndefined();
      await sleep(2100);
      expect(await backend.get(keyOf('/short'))).toBeUndefined();
    });

    it('spreads entries over both servers', async () => {
      const before = await Promise.all(servers.map(storedItems));
      const keys = Array.from({ length: 40 }, (_, i) => keyOf(`/spread/${i}`));
      await Promise.all(keys.map((k) => backend.set(k, entryOf(k))));
      const after = await Promise.all(servers.map(storedItems));
      expect(servers).toHaveLength(2);
      after.forEach((count, i) => expect(count).toBeGreaterThan(before[i]!));
      const found = await Promise.all(keys.map((k) => backend.get(k)));
      expect(found.map((e) => e?.body.toString())).toEqual(keys);
    });
  });

  describe('purges with generations', () => {
    const paths = ['/users/1', '/users/1/posts', '/users/10'];
    const seed = async (b: CacheBackend) => {
      for (const path of paths) {
        await b.set(keyOf(path), entryOf(path));
        await b.set(keyOf(path, 'page=2'), entryOf(path));
        await b.set(keyOf(path, '', 'other.example'), entryOf(path));
        await b.set(keyOf(path, 'a=1', 'shop.example:8080', 'OPTIONS'), entryOf(path));
      }
    };

    it('clearPath removes every method, host and query of that path, and only that path', async () => {
      await seed(backend);
      expect(await backend.clearPath('/users/1')).toBe(-1);
      expect(await backend.get(keyOf('/users/1'))).toBeUndefined();
      expect(await backend.get(keyOf('/users/1', 'page=2'))).toBeUndefined();
      expect(await backend.get(keyOf('/users/1', '', 'other.example'))).toBeUndefined();
      expect(
        await backend.get(keyOf('/users/1', 'a=1', 'shop.example:8080', 'OPTIONS')),
      ).toBeUndefined();
      for (const other of ['/users/1/posts', '/users/10']) {
        expect(await backend.get(keyOf(other))).toBeDefined();
        expect(await backend.get(keyOf(other, 'page=2'))).toBeDefined();
      }
      await backend.set(keyOf('/users/1'), entryOf('new'));
      expect((await backend.get(keyOf('/users/1')))?.body.toString()).toBe('new');
    });

    it('clearPath with includeQuery: false removes only the entries without a query', async () => {
      await seed(backend);
      await backend.clearPath('/users/1', { includeQuery: false });
      expect(await backend.get(keyOf('/users/1'))).toBeUndefined();
      expect(await backend.get(keyOf('/users/1', '', 'other.example'))).toBeUndefined();
      expect(await backend.get(keyOf('/users/1', 'page=2'))).toBeDefined();
    });

    it('clearPath reaches entries of custom keys through their path', async () => {
      await backend.set('product:42', entryOf('p', { path: '/products/42', query: '' }));
      await backend.set('no-path', entryOf('n'));
      expect(await backend.get('product:42')).toBeDefined();
      expect(await backend.get('no-path')).toBeDefined();
      await backend.clearPath('/products/42');
      expect(await backend.get('product:42')).toBeUndefined();
      expect(await backend.get('no-path')).toBeDefined();
    });

    it('soft clearPath marks the entries stale instead of removing them', async () => {
      await seed(backend);
      await backend.clearPath('/users/1', { soft: true });
      const stale = await backend.get(keyOf('/users/1', 'page=2'));
      expect(stale?.invalidated).toBe(true);
      expect(stale?.body.toString()).toBe('/users/1');
      expect((await backend.get(keyOf('/users/10')))?.invalidated).toBeUndefined();
      // A refreshed entry is fresh again; a hard purge after a soft one still removes.
      await backend.set(keyOf('/users/1'), entryOf('fresh'));
      expect((await backend.get(keyOf('/users/1')))?.invalidated).toBeUndefined();
      await backend.clearPath('/users/1');
      expect(await backend.get(keyOf('/users/1', 'page=2'))).toBeUndefined();
      expect(await backend.get(keyOf('/users/1'))).toBeUndefined();
    });

    it('clear() removes every entry of this prefix, and nothing of namespaces or other prefixes', async () => {
      const neighbour = make();
      await seed(backend);
      await neighbour.set(keyOf('/users/1'), entryOf('neighbour'));
      const data = backend.namespace('cache-manager');
      await data.set('kept', 'yes');
      await data.setAdd('set', 'member');

      expect(await backend.clear()).toBe(-1);
      for (const path of paths) expect(await backend.get(keyOf(path))).toBeUndefined();
      expect((await neighbour.get(keyOf('/users/1')))?.body.toString()).toBe('neighbour');
      expect(await data.get('kept')).toBe('yes');
      expect(await data.setMembers('set')).toEqual(['member']);

      await backend.set(keyOf('/users/1'), entryOf('again'));
      expect((await backend.get(keyOf('/users/1')))?.body.toString()).toBe('again');
    });

    it('invalidateTags removes the tagged entries, and soft marks them stale', async () => {
      await backend.set(keyOf('/p/1'), entryOf('1', { tags: ['product', 'product:1'] }));
      await backend.set(keyOf('/p/2'), entryOf('2', { tags: ['product', 'product:2'] }));
      await backend.set(keyOf('/c/1'), entryOf('c', { tags: ['category'] }));
      await backend.set(keyOf('/plain'), entryOf('plain'));

      expect(await backend.invalidateTags(['product:1'], { soft: true })).toBe(-1);
      expect((await backend.get(keyOf('/p/1')))?.invalidated).toBe(true);
      expect((await backend.get(keyOf('/p/2')))?.invalidated).toBeUndefined();

      expect(await backend.invalidateTags(['product'])).toBe(-1);
      expect(await backend.get(keyOf('/p/1'))).toBeUndefined();
      expect(await backend.get(keyOf('/p/2'))).toBeUndefined();
      expect(await backend.get(keyOf('/c/1'))).toBeDefined();
      expect(await backend.get(keyOf('/plain'))).toBeDefined();
      expect(await backend.invalidateTags([])).toBe(0);
    });

    it('sees a purge by another instance at once with generationCacheMs: 0, and within the window otherwise', async () => {
      const prefix = `mc-${randomUUID()}:`;
      const writer = make({}, prefix);
      const strict = make({ generationCacheMs: 0 }, prefix);
      const cached = make({ generationCacheMs: 300 }, prefix);
      await writer.set(keyOf('/shared'), entryOf('shared'));
      expect(await strict.get(keyOf('/shared'))).toBeDefined();
      expect(await cached.get(keyOf('/shared'))).toBeDefined();

      await writer.clearPath('/shared');
      expect(await strict.get(keyOf('/shared'))).toBeUndefined();
      await sleep(350);
      expect(await cached.get(keyOf('/shared'))).toBeUndefined();
    });

    it('refuses clearPattern and keys with CacheXUnsupportedError naming the operation and RedisBackend', async () => {
      const pattern = backend.clearPattern('/users/*');
      await expect(pattern).rejects.toThrow(CacheXUnsupportedError);
      await expect(pattern).rejects.toThrow(/clearPattern\(\).*RedisBackend/);
      const keys = (async () => backend.keys())();
      await expect(keys).rejects.toThrow(CacheXUnsupportedError);
      await expect(keys).rejects.toThrow(/keys\(\).*RedisBackend/);
      await expect(backend.namespace('x').clearPattern('*')).rejects.toMatchObject({
        code: 'CACHEX_UNSUPPORTED',
        operation: 'clearPattern',
      });
    });
  });

  describe('requests per hit (on a memcached of its own, counting its gets)', () => {
    let own: ServerHandle;
    let address: string;
    /** How many gets memcached served while `work` ran. */
    const getsDuring = async (work: () => Promise<unknown>): Promise<number> => {
      const before = await memcachedStat(address, 'cmd_get');
      await work();
      return (await memcachedStat(address, 'cmd_get')) - before;
    };

    beforeAll(async () => {
      own = await startMemcached();
      address = `127.0.0.1:${own.port}`;
    });
    afterAll(() => own.stop());

    it('reads only the entry while the generations are cached', async () => {
      const cached = make({ servers: [address] });
      await cached.set(keyOf('/hit'), entryOf('hit', { tags: ['a', 'b'] }));
      expect(await getsDuring(() => cached.get(keyOf('/hit')))).toBe(1);
    });

    it('reads the entry and its generations together when nothing is cached', async () => {
      const strict = make({ servers: [address], generationCacheMs: 0 });
      await strict.set(keyOf('/hit'), entryOf('hit'));
      // The entry, the whole cache's generation and its path's: one round trip.
      expect(await getsDuring(() => strict.get(keyOf('/hit')))).toBe(3);
      await strict.set(keyOf('/tagged'), entryOf('tagged', { tags: ['a', 'b'] }));
      // Tags are known once the entry is read: a second round trip, one get per tag.
      expect(await getsDuring(() => strict.get(keyOf('/tagged')))).toBe(5);
    });
  });

  describe('namespaces (KeyValueStore)', () => {
    it('gets, sets, deletes, and keeps namespaces apart', async () => {
      const a = backend.namespace('a');
      const b = backend.namespace('b');
      await a.set('k', 'välue 🐢');
      expect(await a.get('k')).toBe('välue 🐢');
      expect(await b.get('k')).toBeUndefined();
      expect(await a.delete('k')).toBe(true);
      expect(await a.delete('k')).toBe(false);
      expect(await a.get('k')).toBeUndefined();
    });

    it('keeps long and unicode keys and odd namespace names valid', async () => {
      const store = backend.namespace('a:b%c');
      const long = 'k'.repeat(400);
      await store.set(long, 'long');
      await store.set('ключ with space', 'unicode');
      expect(await store.get(long)).toBe('long');
      expect(await store.get('ключ with space')).toBe('unicode');
      expect(await backend.namespace('a').get('b%c:' + long)).toBeUndefined();
    });

    it('expires values with their lifetime', async () => {
      const store = backend.namespace('ttl');
      await store.set('short', 'v', 1);
      await store.set('forever', 'v');
      await sleep(2100);
      expect(await store.get('short')).toBeUndefined();
      expect(await store.get('forever')).toBe('v');
    });

    it('add stores only when absent, and one of many concurrent adds wins', async () => {
      const store = backend.namespace('locks');
      expect(await store.add('lock', 'me', 30)).toBe(true);
      expect(await store.add('lock', 'you', 30)).toBe(false);
      expect(await store.get('lock')).toBe('me');

      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.add('race', `owner-${i}`, 30)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('deleteIfEquals deletes only the value it is given', async () => {
      const store = backend.namespace('locks');
      await store.set('lock', 'owner-1');
      expect(await store.deleteIfEquals('lock', 'owner-2')).toBe(false);
      expect(await store.get('lock')).toBe('owner-1');
      expect(await store.deleteIfEquals('lock', 'owner-1')).toBe(true);
      expect(await store.get('lock')).toBeUndefined();
      expect(await store.deleteIfEquals('lock', 'owner-1')).toBe(false);
    });

    it('keeps every member of 50 concurrent setAdds', async () => {
      const store = backend.namespace('session');
      const members = Array.from({ length: 50 }, (_, i) => `session-${i}`);
      await Promise.all(members.map((m) => store.setAdd('user:1', m, 60)));
      expect((await store.setMembers('user:1')).sort()).toEqual([...members].sort());
    });

    it('keeps every member of concurrent setAdds from two processes (two clients)', async () => {
      const prefix = `mc-${randomUUID()}:`;
      const one = make({}, prefix).namespace('session');
      const two = make({}, prefix).namespace('session');
      const members = Array.from({ length: 40 }, (_, i) => `s-${i}`);
      await Promise.all(members.map((m, i) => (i % 2 ? one : two).setAdd('user:2', m, 60)));
      expect((await one.setMembers('user:2')).sort()).toEqual([...members].sort());
    });

    it('removes members, and the set with its last one', async () => {
      const store = backend.namespace('session');
      await store.setAdd('user:3', 'a', 60);
      await store.setAdd('user:3', 'b');
      await store.setAdd('user:3', 'a', 60);
      expect((await store.setMembers('user:3')).sort()).toEqual(['a', 'b']);
      await store.setRemove('user:3', 'a');
      expect(await store.setMembers('user:3')).toEqual(['b']);
      await Promise.all([store.setRemove('user:3', 'b'), store.setRemove('user:3', 'absent')]);
      expect(await store.setMembers('user:3')).toEqual([]);
      expect(await store.get('user:3')).toBeUndefined();
      expect(await store.setMembers('never')).toEqual([]);
    });

    it('expires a set with its longest-lived member', async () => {
      const store = backend.namespace('session');
      await store.setAdd('user:4', 'a', 1);
      await store.setAdd('user:4', 'b', 5);
      await sleep(2100);
      expect(await store.setMembers('user:4')).toEqual(['a', 'b']);
    });

    it('clear() empties one namespace only, and not the response cache', async () => {
      const sessions = backend.namespace('session');
      const data = backend.namespace('data');
      await sessions.set('s', '1');
      await sessions.setAdd('idx', 'm');
      await data.set('d', '1');
      await backend.set(keyOf('/kept'), entryOf('kept'));

      expect(await sessions.clear()).toBe(-1);
      expect(await sessions.get('s')).toBeUndefined();
      expect(await sessions.setMembers('idx')).toEqual([]);
      expect(await data.get('d')).toBe('1');
      expect(await backend.get(keyOf('/kept'))).toBeDefined();

      await sessions.set('s', '2');
      expect(await sessions.get('s')).toBe('2');
    });
  });

  describe('clients', () => {
    it('uses a given memjs client and leaves it open on close()', async () => {
      const client = memjs.Client.create(servers.join(','), { logger: { log: () => undefined } });
      try {
        const given = new MemcachedBackend({ client, keyPrefix: `mc-${randomUUID()}:` });
        await given.set(keyOf('/given'), entryOf('given'));
        expect((await given.get(keyOf('/given')))?.body.toString()).toBe('given');
        await given.close();
        await expect(given.get(keyOf('/given'))).rejects.toThrow(/after close/);
        await expect(client.set(`mc-${randomUUID()}`, 'still open')).resolves.toBe(true);
      } finally {
        // memjs's close() only half-closes; end the sockets now so that Jest's worker exits at once.
        for (const server of client.servers) server.error(new Error('test over'));
      }
    });

    it('rejects bad options with CacheXConfigError naming the option', () => {
      expect(() => new MemcachedBackend({ servers: [] })).toThrow(/servers/);
      expect(() => new MemcachedBackend({ servers, keyPrefix: 'has space' })).toThrow(/keyPrefix/);
      expect(() => new MemcachedBackend({ servers, timeoutMs: 0 })).toThrow(/timeoutMs/);
      expect(() => new MemcachedBackend({ servers, maxValueBytes: -1 })).toThrow(/maxValueBytes/);
    });
  });
});
