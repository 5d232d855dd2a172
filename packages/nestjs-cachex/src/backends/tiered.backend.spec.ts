import { CacheXConfigError, CacheXUnsupportedError } from '../common/errors.js';
import { allKeys } from '../testing/conformance.kit.js';
import { type CacheEntry } from './cache-entry.js';
import { MemoryBackend } from './memory.backend.js';
import { MemoryBus } from './memory.bus.js';
import { TieredBackend } from './tiered.backend.js';

const entry = (extra: Partial<CacheEntry> = {}): CacheEntry => ({
  status: 200,
  headers: {},
  body: Buffer.from('body'),
  storedAt: Date.now(),
  maxAge: 60,
  ...extra,
});
const key = (path: string, query = '') => `GET|||h|||${path}|||${query}`;

/** Lets queued bus deliveries and the invalidations they start run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A shared tier that counts its reads, fails while `down`, and can hold reads back. */
class SharedTier extends MemoryBackend {
  gets = 0;
  down = false;
  held?: Promise<void>;

  override async get(key: string): Promise<CacheEntry | undefined> {
    this.gets++;
    const found = await super.get(key);
    await this.held;
    if (this.down) throw new Error('shared tier down');
    return found;
  }

  override async set(key: string, value: CacheEntry, ttlSeconds?: number): Promise<void> {
    if (this.down) throw new Error('shared tier down');
    await super.set(key, value, ttlSeconds);
  }

  override async clearPath(path: string, options?: { soft?: boolean }): Promise<number> {
    if (this.down) throw new Error('shared tier down');
    return super.clearPath(path, options);
  }
}

/** Two instances, A and B, on one shared tier and one bus. */
function fleet(busLossMaxAgeMs?: number) {
  const shared = new SharedTier();
  const busA = new MemoryBus();
  const busB = busA.join();
  const localA = new MemoryBackend();
  const localB = new MemoryBackend();
  const a = new TieredBackend({ local: localA, shared, bus: busA, busLossMaxAgeMs });
  const b = new TieredBackend({ local: localB, shared, bus: busB, busLossMaxAgeMs });
  return { shared, busA, busB, localA, localB, a, b };
}

describe('TieredBackend reads and stores', () => {
  it('answers a local hit without reading the shared tier', async () => {
    const { shared, a } = fleet();
    await a.set(key('/x'), entry());
    expect(await a.get(key('/x'))).toMatchObject({ status: 200 });
    expect(shared.gets).toBe(0);
  });

  it('keeps what a local miss read from the shared tier, for what is left of its life', async () => {
    const { shared, localB, a, b } = fleet();
    // Two seconds of life left: room for the reads below on a busy machine.
    await a.set(key('/x'), entry({ storedAt: Date.now() - 58_000, maxAge: 60 }));
    expect(await b.get(key('/x'))).toBeDefined();
    expect(await b.get(key('/x'))).toBeDefined();
    expect(shared.gets).toBe(1);
    expect(await localB.get(key('/x'))).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await localB.get(key('/x'))).toBeUndefined();
  });

  it('does not keep an entry that has no life left', async () => {
    const { localB, a, b } = fleet();
    await a.set(key('/x'), entry({ storedAt: Date.now() - 61_000, maxAge: 60 }), 60);
    expect(await b.get(key('/x'))).toBeDefined();
    expect(await localB.get(key('/x'))).toBeUndefined();
  });

  it('tells the other instances to drop their copy of a key it stores', async () => {
    const { localB, a, b } = fleet();
    await a.set(key('/x'), entry({ headers: { v: '1' } }));
    expect((await b.get(key('/x')))?.headers).toEqual({ v: '1' });
    await a.set(key('/x'), entry({ headers: { v: '2' } }));
    await settle();
    expect(await localB.get(key('/x'))).toBeUndefined();
    expect((await b.get(key('/x')))?.headers).toEqual({ v: '2' });
  });

  it('does not keep a shared read that a drop of its key overtook', async () => {
    const { shared, localB, a, b } = fleet();
    await a.set(key('/x'), entry({ headers: { v: '1' } }));
    let release!: () => void;
    shared.held = new Promise((resolve) => (release = resolve));
    const read = b.get(key('/x'));
    await settle();
    shared.held = undefined;
    await a.set(key('/x'), entry({ headers: { v: '2' } }));
    await settle();
    release();
    expect((await read)?.headers).toEqual({ v: '1' });
    expect(await localB.get(key('/x'))).toBeUndefined();
  });

  it('keeps the shared tier namespaces and keys', async () => {
    const { shared, a } = fleet();
    await a.namespace('data').set('k', 'v');
    expect(await shared.namespace('data').get('k')).toBe('v');
    await a.set(key('/x'), entry());
    expect(await allKeys(a)).toEqual(await allKeys(shared));
  });
});

describe('TieredBackend invalidations', () => {
  const paths = { '/a': key('/a'), '/b': key('/b'), '/c': key('/c'), '/c?q=1': key('/c', 'q=1') };
  const cases: Array<[string, (t: TieredBackend) => Promise<unknown>, string[]]> = [
    ['delete', (t) => t.delete(key('/a')), ['/b', '/c', '/c?q=1']],
    ['clear', (t) => t.clear(), []],
    ['clearPath', (t) => t.clearPath('/c'), ['/a', '/b']],
    [
      'clearPath without the query',
      (t) => t.clearPath('/c', { includeQuery: false }),
      ['/a', '/b', '/c?q=1'],
    ],
    ['clearPattern', (t) => t.clearPattern('/[ab]'), ['/c', '/c?q=1']],
    ['invalidateTags', (t) => t.invalidateTags(['t']), ['/a', '/c', '/c?q=1']],
  ];

  /** A and B both hold every entry locally. */
  async function filled() {
    const tiers = fleet();
    for (const [path, k] of Object.entries(paths)) {
      await tiers.a.set(k, entry({ tags: path === '/b' ? ['t'] : [] }));
      await tiers.b.get(k);
    }
    return tiers;
  }

  async function kept(tier: MemoryBackend): Promise<string[]> {
    const keys = new Set(await allKeys(tier));
    return Object.entries(paths).flatMap(([path, k]) => (keys.has(k) ? [path] : []));
  }

  it.each(cases)(
    '%s acts on both tiers here and on the local tier of the others',
    async (_, act, left) => {
      const { shared, localA, localB, a } = await filled();
      await act(a);
      await settle();
      expect(await kept(shared)).toEqual(left);
      expect(await kept(localA)).toEqual(left);
      expect(await kept(localB)).toEqual(left);
    },
  );

  it('resolves to the shared tier count', async () => {
    const { a } = await filled();
    expect(await a.clearPath('/c')).toBe(2);
    expect(await a.delete(key('/a'))).toBe(true);
    expect(await a.delete(key('/a'))).toBe(false);
  });

  it.each([
    ['clearPath', (t: TieredBackend) => t.clearPath('/b', { soft: true })],
    ['invalidateTags', (t: TieredBackend) => t.invalidateTags(['t'], { soft: true })],
  ])('a soft %s marks the entries stale in every tier of every instance', async (_, act) => {
    const { shared, localA, localB, a, b } = await filled();
    expect(await act(a)).toBe(1);
    await settle();
    for (const tier of [shared, localA, localB, a, b]) {
      expect((await tier.get(key('/b')))?.invalidated).toBe(true);
      expect((await tier.get(key('/a')))?.invalidated).toBeUndefined();
    }
  });

  it('ignores its own messages', async () => {
    const { localA, a } = await filled();
    let localClears = 0;
    const clearPath = localA.clearPath.bind(localA);
    localA.clearPath = (path, options) => (localClears++, clearPath(path, options));
    await a.clearPath('/a');
    await settle();
    expect(localClears).toBe(1);
  });

  it('refuses an operation the shared tier refuses, leaving the local tiers alone', async () => {
    const shared = new MemoryBackend();
    shared.clearPattern = () =>
      Promise.reject(new CacheXUnsupportedError('clearPattern', 'X', 'no'));
    const local = new MemoryBackend();
    const tiered = new TieredBackend({ local, shared, bus: new MemoryBus() });
    await tiered.set(key('/a'), entry());
    await expect(tiered.clearPattern('/*')).rejects.toBeInstanceOf(CacheXUnsupportedError);
    expect(await allKeys(local)).toEqual([key('/a')]);
  });
});

describe('TieredBackend while the bus is down', () => {
  it('says whether its bus is connected (busConnected)', () => {
    const { busB, a, b } = fleet();
    expect([a.busConnected, b.busConnected]).toEqual([true, true]);
    busB.disconnect();
    expect([a.busConnected, b.busConnected]).toEqual([true, false]);
    busB.reconnect();
    expect(b.busConnected).toBe(true);
  });

  it('serves local entries for busLossMaxAgeMs after the loss, then reads the shared tier', async () => {
    const { shared, busB, a, b } = fleet(60_000);
    await a.set(key('/x'), entry());
    await b.get(key('/x'));
    busB.disconnect();
    await b.get(key('/x'));
    expect(shared.gets).toBe(1);

    const strict = fleet(0);
    await strict.a.set(key('/x'), entry());
    await strict.b.get(key('/x'));
    strict.busB.disconnect();
    await strict.b.get(key('/x'));
    await strict.b.get(key('/x'));
    expect(strict.shared.gets).toBe(3);
  });

  it('empties the local tier when the bus is back, since invalidations were lost', async () => {
    const { localB, busB, a, b } = fleet(60_000);
    await a.set(key('/x'), entry());
    await b.get(key('/x'));
    busB.disconnect();
    await a.clearPath('/x');
    await settle();
    expect(await localB.get(key('/x'))).toBeDefined();
    busB.reconnect();
    await settle();
    expect(await localB.get(key('/x'))).toBeUndefined();
  });

  it('sends the invalidations it could not publish when its bus is back', async () => {
    const { localB, busA, a, b } = fleet();
    await a.set(key('/x'), entry());
    await b.get(key('/x'));
    busA.disconnect();
    await a.invalidateTags([]);
    await a.clearPath('/x');
    await settle();
    expect(await localB.get(key('/x'))).toBeDefined();
    busA.reconnect();
    await settle();
    expect(await localB.get(key('/x'))).toBeUndefined();
  });
});

describe('TieredBackend while the shared tier fails', () => {
  it('keeps answering from local, stores locally, and reads a miss as a miss', async () => {
    const { shared, a } = fleet();
    await a.set(key('/x'), entry());
    shared.down = true;
    expect(await a.get(key('/x'))).toBeDefined();
    expect(await a.get(key('/missing'))).toBeUndefined();
    await a.set(key('/y'), entry());
    expect(await a.get(key('/y'))).toBeDefined();
  });

  it('skips the shared tier after failures in a row, and probes it again later', async () => {
    const { shared, a } = fleet();
    shared.down = true;
    for (let i = 0; i < 5; i++) await a.get(key('/missing'));
    const failedReads = shared.gets;
    for (let i = 0; i < 20; i++) await a.get(key('/missing'));
    expect(shared.gets).toBe(failedReads);
    shared.down = false;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await a.get(key('/missing'));
    await a.get(key('/missing'));
    expect(shared.gets).toBe(failedReads + 2);
  });

  it('still invalidates locally and on the others when the shared tier fails, then rejects', async () => {
    const { shared, localA, localB, a, b } = fleet();
    await a.set(key('/x'), entry());
    await b.get(key('/x'));
    shared.down = true;
    await expect(a.clearPath('/x')).rejects.toThrow('shared tier down');
    await settle();
    expect(await localA.get(key('/x'))).toBeUndefined();
    expect(await localB.get(key('/x'))).toBeUndefined();
  });
});

describe('TieredBackend options', () => {
  it('refuses a missing tier, one backend as both tiers, and a bad busLossMaxAgeMs', () => {
    const memory = new MemoryBackend();
    const bus = new MemoryBus();
    const make = (options: object) => () =>
      new TieredBackend({ local: new MemoryBackend(), shared: memory, bus, ...options });
    expect(make({ bus: undefined })).toThrow(CacheXConfigError);
    expect(make({ local: memory })).toThrow(/`local` and `shared`/);
    expect(make({ busLossMaxAgeMs: -1 })).toThrow(/busLossMaxAgeMs/);
    expect(make({ busLossMaxAgeMs: Number.NaN })).toThrow(/busLossMaxAgeMs/);
  });

  it('closes both tiers and the bus', async () => {
    const { shared, localA, busA, a } = fleet();
    await a.set(key('/x'), entry());
    await a.close();
    expect(await allKeys(shared)).toEqual([]);
    expect(await allKeys(localA)).toEqual([]);
    await expect(
      busA.publish({ origin: 'x', invalidation: { op: 'clear' } }),
    ).resolves.toBeUndefined();
  });
});
