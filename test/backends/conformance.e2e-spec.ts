/**
 * One conformance suite every backend passes (the keyv idea): the
 * `CacheBackend` contract of API.md, called directly on real servers.
 * An operation a backend refuses must be refused with CacheXUnsupportedError.
 */
import { type CacheBackend, type CacheEntry, CacheXUnsupportedError } from 'nestjs-cachex';
import { backendCases, describeBackend } from '../support/backends.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function entry(overrides: Partial<CacheEntry> = {}): CacheEntry {
  return {
    status: 200,
    headers: { 'content-type': 'application/octet-stream', etag: '"e"', 'x-extra': 'ü' },
    body: Buffer.from([0, 1, 2, 255, 254, 0, 10]),
    storedAt: Date.now(),
    maxAge: 60,
    ...overrides,
  };
}

const key = (path: string, query = '', method = 'GET', host = 'h:1') =>
  `${method}|||${host}|||${path}|||${query}`;

/** Runs `operation`; `undefined` when the backend refuses it as unsupported. */
async function unlessUnsupported<T>(operation: () => Promise<T> | T): Promise<T | undefined> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof CacheXUnsupportedError) return undefined;
    throw error;
  }
}

async function allKeys(backend: CacheBackend): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of await backend.keys()) keys.push(k);
  return keys.sort();
}

for (const backendCase of backendCases) {
  describeBackend(backendCase)(`CacheBackend conformance: ${backendCase.name}`, () => {
    const prefix = `conf-${process.pid}-${Date.now()}:`;
    let backend: CacheBackend;
    let neighbour: CacheBackend;

    beforeAll(() => {
      backend = backendCase.create({ keyPrefix: prefix });
      neighbour = backendCase.create({ keyPrefix: `${prefix}other:` });
    });
    afterAll(async () => {
      await backend.close();
      await neighbour.close();
    });
    beforeEach(async () => {
      await backend.clear();
      await neighbour.clear();
    });

    it('round-trips an entry byte for byte', async () => {
      const stored = entry({ tags: ['t1'], staleWhileRevalidate: 5, path: '/p', query: 'a=1' });
      await backend.set(key('/p', 'a=1'), stored);
      const found = await backend.get(key('/p', 'a=1'));
      expect(found).toBeDefined();
      expect(Buffer.compare(found!.body, stored.body)).toBe(0);
      expect(found).toMatchObject({
        status: 200,
        headers: stored.headers,
        storedAt: stored.storedAt,
        maxAge: 60,
        staleWhileRevalidate: 5,
      });
      expect(found!.invalidated).toBeFalsy();
    });

    it('answers undefined for a missing key and deletes one key', async () => {
      expect(await backend.get(key('/missing'))).toBeUndefined();
      await backend.set(key('/d'), entry());
      expect(await backend.delete(key('/d'))).toBe(true);
      expect(await backend.get(key('/d'))).toBeUndefined();
      expect(await backend.delete(key('/d'))).toBe(false);
    });

    it('keeps unicode keys and paths apart', async () => {
      await backend.set(key('/żółw/🐢', 'q=ü'), entry({ body: Buffer.from('turtle') }));
      await backend.set(key('/zolw/🐢', 'q=ü'), entry({ body: Buffer.from('other') }));
      expect((await backend.get(key('/żółw/🐢', 'q=ü')))!.body.toString()).toBe('turtle');
    });

    it('expires an entry after its ttl', async () => {
      await backend.set(key('/ttl'), entry({ maxAge: 1 }), 1);
      expect(await backend.get(key('/ttl'))).toBeDefined();
      await sleep(2100);
      expect(await backend.get(key('/ttl'))).toBeUndefined();
    });

    it('clearPath removes a path for every method, host and query, and nothing else', async () => {
      await backend.set(key('/users/1'), entry());
      await backend.set(key('/users/1', 'page=2'), entry());
      await backend.set(key('/users/1', '', 'GET', 'other:2'), entry());
      await backend.set(key('/users/12'), entry());
      await backend.set(key('/users'), entry());
      expect([3, -1]).toContain(await backend.clearPath('/users/1'));
      expect(await backend.get(key('/users/1'))).toBeUndefined();
      expect(await backend.get(key('/users/1', 'page=2'))).toBeUndefined();
      expect(await backend.get(key('/users/1', '', 'GET', 'other:2'))).toBeUndefined();
      expect(await backend.get(key('/users/12'))).toBeDefined();
      expect(await backend.get(key('/users'))).toBeDefined();
    });

    it('clearPath with includeQuery: false keeps the entries with a query', async () => {
      await backend.set(key('/q'), entry());
      await backend.set(key('/q', 'x=1'), entry());
      const removed = await unlessUnsupported(() =>
        backend.clearPath('/q', { includeQuery: false }),
      );
      if (removed === undefined) return;
      expect([1, -1]).toContain(removed);
      expect(await backend.get(key('/q'))).toBeUndefined();
      expect(await backend.get(key('/q', 'x=1'))).toBeDefined();
    });

    it('a soft clearPath marks entries stale instead of removing them', async () => {
      await backend.set(key('/soft'), entry());
      await backend.clearPath('/soft', { soft: true });
      const found = await backend.get(key('/soft'));
      expect(found).toBeDefined();
      expect(found!.invalidated).toBe(true);
    });

    it('clearPattern removes the paths matching the glob', async () => {
      await backend.set(key('/api/v1/users'), entry());
      await backend.set(key('/api/v1/users/7/posts'), entry());
      await backend.set(key('/api/v2/users'), entry());
      await backend.set(key('/api/v3/users'), entry());
      const removed = await unlessUnsupported(() => backend.clearPattern('/api/v[12]/users*'));
      if (removed === undefined) return;
      expect(removed).toBe(3);
      expect(await backend.get(key('/api/v1/users/7/posts'))).toBeUndefined();
      expect(await backend.get(key('/api/v3/users'))).toBeDefined();
      expect(await backend.clearPattern('/api/v?/users')).toBe(1);
    });

    it('invalidateTags removes exactly the tagged entries, or marks them stale', async () => {
      await backend.set(key('/t/1'), entry({ tags: ['products', 'product:1'] }));
      await backend.set(key('/t/2'), entry({ tags: ['products', 'product:2'] }));
      await backend.set(key('/t/3'), entry({ tags: ['users'] }));
      await backend.set(key('/t/4'), entry());
      expect([1, -1]).toContain(await backend.invalidateTags(['product:1']));
      expect(await backend.get(key('/t/1'))).toBeUndefined();
      expect(await backend.get(key('/t/2'))).toBeDefined();
      expect([1, -1]).toContain(await backend.invalidateTags(['products'], { soft: true }));
      expect((await backend.get(key('/t/2')))!.invalidated).toBe(true);
      expect((await backend.get(key('/t/3')))!.invalidated).toBeFalsy();
      expect((await backend.get(key('/t/4')))!.invalidated).toBeFalsy();
    });

    it('keys() lists logical keys that get() accepts', async () => {
      await backend.set(key('/k/1'), entry());
      await backend.set(key('/k/2', 'z'), entry());
      const keys = await unlessUnsupported(() => allKeys(backend));
      if (keys === undefined) return;
      expect(keys).toEqual([key('/k/1'), key('/k/2', 'z')]);
      for (const k of keys) expect(await backend.get(k)).toBeDefined();
    });

    it("clear() removes response entries only: not namespaces, not another prefix's entries", async () => {
      const sessions = backend.namespace('session');
      await sessions.set('s1', 'alive', 60);
      await backend.set(key('/c'), entry());
      await neighbour.set(key('/c'), entry());
      const removed = await backend.clear();
      expect([1, -1]).toContain(removed);
      expect(await backend.get(key('/c'))).toBeUndefined();
      expect(await sessions.get('s1')).toBe('alive');
      expect(await neighbour.get(key('/c'))).toBeDefined();
      await sessions.clear();
    });

    it('namespaces are key-value stores of their own', async () => {
      const store = backend.namespace('conf');
      const other = backend.namespace('conf2');
      await store.clear();
      await store.set('a', 'one', 60);
      await other.set('a', 'two', 60);
      expect(await store.get('a')).toBe('one');
      expect(await other.get('a')).toBe('two');
      expect(await store.add('a', 'three', 60)).toBe(false);
      expect(await store.add('b', 'three', 60)).toBe(true);
      expect(await store.deleteIfEquals('b', 'wrong')).toBe(false);
      expect(await store.deleteIfEquals('b', 'three')).toBe(true);
      expect(await store.get('b')).toBeUndefined();
      expect(await store.delete('a')).toBe(true);
      expect(await store.delete('a')).toBe(false);

      await Promise.all(Array.from({ length: 20 }, (_, i) => store.setAdd('set', `m${i}`, 60)));
      expect((await store.setMembers('set')).sort()).toEqual(
        Array.from({ length: 20 }, (_, i) => `m${i}`).sort(),
      );
      await store.setRemove('set', 'm3');
      expect(await store.setMembers('set')).not.toContain('m3');
      expect(await store.setMembers('nothing')).toEqual([]);

      await store.set('p:1', 'x');
      await store.set('p:2', 'x');
      await store.set('q:1', 'x');
      const removed = await unlessUnsupported(() => store.clearPattern('p:*'));
      if (removed !== undefined) {
        expect(removed).toBe(2);
        expect(await store.get('q:1')).toBe('x');
      }
      await store.clear();
      expect(await store.get('q:1')).toBeUndefined();
      expect(await other.get('a')).toBe('two');
      await other.clear();
    });

    it('expires namespace values after their ttl', async () => {
      const store = backend.namespace('conf-ttl');
      await store.set('short', 'v', 1);
      expect(await store.add('lock', 'owner', 1)).toBe(true);
      await sleep(2100);
      expect(await store.get('short')).toBeUndefined();
      expect(await store.add('lock', 'next', 1)).toBe(true);
    });
  });
}
