import { CacheXConfigError } from '../common/errors.js';
import { allKeys } from '../testing/conformance.kit.js';
import { LOCK_NAMESPACE } from './cache-backend.js';
import { type CacheEntry } from './cache-entry.js';
import { MemoryBackend } from './memory.backend.js';

const entry = (bytes: number, extra: Partial<CacheEntry> = {}): CacheEntry => ({
  status: 200,
  headers: {},
  body: Buffer.alloc(bytes),
  storedAt: Date.now(),
  maxAge: 60,
  ...extra,
});
const key = (path: string) => `GET|||h|||${path}|||`;

describe('MemoryBackend bounds', () => {
  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const backend = new MemoryBackend({ maxEntries: 3 });
    for (const path of ['/a', '/b', '/c']) await backend.set(key(path), entry(1));
    await backend.get(key('/a'));
    await backend.set(key('/d'), entry(1));
    expect(await backend.get(key('/b'))).toBeUndefined();
    expect((await allKeys(backend)).sort()).toEqual([key('/a'), key('/c'), key('/d')]);
    await backend.close();
  });

  it('keeps at most maxBytes of bodies and headers, and refuses an entry larger than that', async () => {
    const backend = new MemoryBackend({ maxBytes: 10_000 });
    for (let i = 0; i < 20; i++) await backend.set(key(`/${i}`), entry(1000));
    const kept = await allKeys(backend);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length * (1000 + 1536)).toBeLessThanOrEqual(10_000);
    await backend.set(key('/huge'), entry(20_000));
    expect(await backend.get(key('/huge'))).toBeUndefined();
    expect(await backend.clearPath('/huge')).toBe(0);
    await backend.close();
  });

  it('charges compressed variants against maxBytes with the body, each with its object overhead', async () => {
    const backend = new MemoryBackend();
    await backend.set(key('/plain'), entry(1000));
    const plain = (await backend.stats()).bytes!;
    const encoded = { br: Buffer.alloc(200), gzip: Buffer.alloc(300) };
    await backend.set(key('/plain'), entry(1000, { encoded }));
    // Their bytes, and 256 B per variant for its Buffer object and slot (VARIANT_OVERHEAD_BYTES).
    expect((await backend.stats()).bytes).toBe(plain + 500 + 2 * 256);
    await backend.close();
  });

  it('tells its entries and the bytes charged for them in stats()', async () => {
    const backend = new MemoryBackend();
    expect(await backend.stats()).toEqual({ entries: 0, bytes: 0 });
    await backend.set(key('/a'), entry(1000));
    await backend.set(key('/b'), entry(500));
    const { entries, bytes } = await backend.stats();
    expect(entries).toBe(2);
    expect(bytes).toBeGreaterThan(1500);
    await backend.delete(key('/a'));
    expect((await backend.stats()).bytes).toBeLessThan(bytes!);
    await backend.close();
  });

  it('drops evicted entries from the path and tag indexes', async () => {
    const backend = new MemoryBackend({ maxEntries: 1 });
    await backend.set(key('/old'), entry(1, { tags: ['t'] }));
    await backend.set(key('/new'), entry(1));
    expect(await backend.clearPath('/old')).toBe(0);
    expect(await backend.invalidateTags(['t'])).toBe(0);
    await backend.close();
  });

  it('indexes one path with one entry, several, and again one', async () => {
    const backend = new MemoryBackend({ maxEntries: 2 });
    const withQuery = (query: string) => `GET|||h|||/p|||${query}`;
    await backend.set(withQuery('a=1'), entry(1));
    await backend.set(withQuery('a=1'), entry(1)); // the same key again: still one entry
    await backend.set(withQuery('b=1'), entry(1));
    await backend.set(withQuery('c=1'), entry(1)); // evicts a=1
    expect(await backend.clearPath('/p')).toBe(2);
    await backend.set(withQuery('d=1'), entry(1));
    expect(await backend.clearPath('/p')).toBe(1);
    expect(await backend.clearPath('/p')).toBe(0);
    await backend.close();
  });

  it('does not store an entry with no lifetime', async () => {
    const backend = new MemoryBackend();
    await backend.set(key('/zero'), entry(1, { maxAge: 0 }));
    expect(await backend.get(key('/zero'))).toBeUndefined();
    await backend.close();
  });

  it.each([
    [{ maxEntries: 0 }, /maxEntries/],
    [{ maxBytes: -5 }, /maxBytes/],
    [{ maxEntries: 1.5 }, /maxEntries/],
  ])('refuses %j', (options, message) => {
    expect(() => new MemoryBackend(options)).toThrow(CacheXConfigError);
    expect(() => new MemoryBackend(options)).toThrow(message);
  });
});

describe('MemoryBackend locks', () => {
  it('keeps locks apart from sessions and data: a burst of locks evicts none of them', async () => {
    const backend = new MemoryBackend({ maxEntries: 50 });
    const sessions = backend.namespace('session:');
    for (let i = 0; i < 40; i++) await sessions.set(`user-${i}`, `session of ${i}`, 3600);
    const locks = backend.namespace(LOCK_NAMESPACE);
    for (let i = 0; i < 1000; i++) expect(await locks.add(`fill:${i}`, 'owner', 5)).toBe(true);
    for (let i = 0; i < 40; i++) {
      expect(await sessions.get(`user-${i}`)).toBe(`session of ${i}`);
    }
    await backend.close();
  });
});
