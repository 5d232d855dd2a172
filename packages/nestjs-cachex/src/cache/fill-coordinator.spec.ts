import {
  type KeyValueStore,
  LOCK_NAMESPACE,
  optionalNamespace,
} from '../backends/cache-backend.js';
import { type CacheEntry } from '../backends/cache-entry.js';
import { MemoryBackend } from '../backends/memory.backend.js';
import { type Clock } from '../common/clock.js';
import { CacheXUnsupportedError } from '../common/errors.js';
import { BackendCalls } from './backend-call.js';
import { resolveModuleOptions } from './cache-module.options.js';
import { FillCoordinator } from './fill-coordinator.js';

/** Far from the wall clock: an entry is fresh or stale by the coordinator's clock alone. */
const T0 = Date.parse('2001-01-01T00:00:00Z');
const KEY = 'GET|||http://shop.example|||/products|||';

/** A clock the test moves by hand. */
class ManualClock implements Clock {
  ms = T0;
  now(): number {
    return this.ms;
  }
}

/** A backend without `namespace()`: coalescing is then per process. */
class NoNamespaceBackend extends MemoryBackend {
  override namespace(): KeyValueStore {
    throw new CacheXUnsupportedError('namespace', 'NoNamespaceBackend', 'none here');
  }
}

const entryAt = (storedAt: number, body = 'filled', maxAge = 60): CacheEntry => ({
  status: 200,
  headers: {},
  body: Buffer.from(body),
  storedAt,
  maxAge,
});

function setup({ waitMs = 2000, hitForMissTtl = 10, backend = new MemoryBackend() } = {}) {
  const clock = new ManualClock();
  const calls = new BackendCalls(resolveModuleOptions({}));
  const fills = new FillCoordinator(backend, calls, { waitMs, hitForMissTtl }, clock);
  return { fills, backend, clock, locks: optionalNamespace(backend, LOCK_NAMESPACE)! };
}

/** A promise resolved from outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Lets every pending callback and backend call run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Waits (in real time, at most 2 s) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await settle();
  expect(condition()).toBe(true);
}

/** A fill that counts its runs and resolves when the test says. */
function heldFill() {
  const result = deferred<CacheEntry | undefined>();
  const fill = { runs: 0, run: () => (fill.runs++, result.promise), result };
  return fill;
}

describe('FillCoordinator', () => {
  describe('within one process', () => {
    it('runs the fill once and shares its entry with the requests that follow it', async () => {
      const { fills, locks } = setup();
      const fill = heldFill();
      const leading = fills.lead(KEY, fill.run);
      const pending = fills.pending(KEY);
      expect(pending).toBeDefined();
      const followed = [fills.follow(pending!), fills.follow(pending!)];
      await until(() => fill.runs === 1);
      expect(await locks.get(`fill:${KEY}`)).toBeDefined();
      const entry = entryAt(T0);
      fill.result.resolve(entry);
      expect(await leading).toEqual({ entry, filledHere: true });
      expect(await Promise.all(followed)).toEqual([entry, entry]);
      expect(fill.runs).toBe(1);
      expect(fills.pending(KEY)).toBeUndefined();
      await settle();
      expect(await locks.get(`fill:${KEY}`)).toBeUndefined();
    });

    it('gives followers nothing when the fill stores nothing or throws', async () => {
      const { fills, locks } = setup();
      const empty = fills.lead(KEY, async () => undefined);
      const followedEmpty = fills.follow(fills.pending(KEY)!);
      expect(await empty).toEqual({ entry: undefined, filledHere: true });
      expect(await followedEmpty).toBeUndefined();

      const failing = fills.lead(KEY, async () => {
        throw new Error('handler failed');
      });
      const followedFailing = fills.follow(fills.pending(KEY)!);
      await expect(failing).rejects.toThrow('handler failed');
      expect(await followedFailing).toBeUndefined();
      expect(fills.pending(KEY)).toBeUndefined();
      await settle();
      expect(await locks.get(`fill:${KEY}`)).toBeUndefined();
    });

    it('stops a follower waiting after waitMs, with nothing', async () => {
      const { fills } = setup({ waitMs: 30 });
      const fill = heldFill();
      const leading = fills.lead(KEY, fill.run);
      expect(await fills.follow(fills.pending(KEY)!)).toBeUndefined();
      fill.result.resolve(entryAt(T0));
      expect((await leading).filledHere).toBe(true);
    });

    it('with acrossInstances: false, neither locks nor reads the backend', async () => {
      const { fills, backend, locks } = setup();
      await backend.set(KEY, entryAt(T0, 'stored'));
      const fill = heldFill();
      const leading = fills.lead(KEY, fill.run, false);
      await until(() => fill.runs === 1);
      expect(await locks.get(`fill:${KEY}`)).toBeUndefined();
      fill.result.resolve(entryAt(T0, 'filled'));
      expect((await leading).entry?.body.toString()).toBe('filled');
    });

    it('on a backend without namespace(), fills with no lock', async () => {
      const { fills } = setup({ backend: new NoNamespaceBackend() });
      const fill = heldFill();
      fill.result.resolve(entryAt(T0));
      expect((await fills.lead(KEY, fill.run)).filledHere).toBe(true);
      expect(fill.runs).toBe(1);
    });
  });

  describe('across instances, through the lock', () => {
    it("takes an entry fresh by the clock that another instance stored, and doesn't fill", async () => {
      const { fills, backend } = setup();
      await backend.set(KEY, entryAt(T0, 'theirs'));
      const fill = heldFill();
      fill.result.resolve(entryAt(T0, 'ours'));
      const { entry, filledHere } = await fills.lead(KEY, fill.run);
      expect(filledHere).toBe(false);
      expect(entry?.body.toString()).toBe('theirs');
      expect(fill.runs).toBe(0);
    });

    it('fills over an entry stale by the clock', async () => {
      const { fills, backend, clock } = setup();
      await backend.set(KEY, entryAt(T0, 'old', 60));
      clock.ms += 60_000;
      const fill = heldFill();
      fill.result.resolve(entryAt(clock.ms, 'new'));
      const { entry, filledHere } = await fills.lead(KEY, fill.run);
      expect(filledHere).toBe(true);
      expect(entry?.body.toString()).toBe('new');
    });

    it('waits for the entry of the instance holding the lock', async () => {
      const { fills, backend, locks } = setup();
      await locks.add(`fill:${KEY}`, 'other-instance', 10);
      const fill = heldFill();
      fill.result.resolve(entryAt(T0, 'ours'));
      const leading = fills.lead(KEY, fill.run);
      await settle();
      await backend.set(KEY, entryAt(T0, 'theirs'));
      const { entry, filledHere } = await leading;
      expect(filledHere).toBe(false);
      expect(entry?.body.toString()).toBe('theirs');
      expect(fill.runs).toBe(0);
      expect(await locks.get(`fill:${KEY}`)).toBe('other-instance');
    });

    it('fills itself once the holder is gone without storing', async () => {
      const { fills, locks } = setup();
      await locks.add(`fill:${KEY}`, 'other-instance', 10);
      const fill = heldFill();
      fill.result.resolve(entryAt(T0));
      const leading = fills.lead(KEY, fill.run);
      await settle();
      expect(fill.runs).toBe(0);
      await locks.delete(`fill:${KEY}`);
      expect((await leading).filledHere).toBe(true);
      expect(fill.runs).toBe(1);
    });

    it('fills itself after waitMs when the holder neither stores nor unlocks', async () => {
      const { fills, locks } = setup({ waitMs: 100 });
      await locks.add(`fill:${KEY}`, 'stuck-instance', 10);
      const fill = heldFill();
      fill.result.resolve(entryAt(T0));
      expect((await fills.lead(KEY, fill.run)).filledHere).toBe(true);
      // Its lock is not ours to release.
      expect(await locks.get(`fill:${KEY}`)).toBe('stuck-instance');
    });
  });

  describe('hit-for-miss', () => {
    it('lets a key skip coalescing for hitForMissTtl seconds by the clock', () => {
      const { fills, clock } = setup({ hitForMissTtl: 10 });
      expect(fills.isUncacheable(KEY)).toBe(false);
      fills.markUncacheable(KEY);
      expect(fills.isUncacheable(KEY)).toBe(true);
      expect(fills.isUncacheable(`${KEY}other`)).toBe(false);
      clock.ms += 9_999;
      expect(fills.isUncacheable(KEY)).toBe(true);
      clock.ms += 1;
      expect(fills.isUncacheable(KEY)).toBe(false);
    });

    it('restarts the window when the key is marked again', () => {
      const { fills, clock } = setup({ hitForMissTtl: 10 });
      fills.markUncacheable(KEY);
      clock.ms += 8_000;
      fills.markUncacheable(KEY);
      clock.ms += 8_000;
      expect(fills.isUncacheable(KEY)).toBe(true);
    });

    it('is off with hitForMissTtl: 0', () => {
      const { fills } = setup({ hitForMissTtl: 0 });
      fills.markUncacheable(KEY);
      expect(fills.isUncacheable(KEY)).toBe(false);
    });
  });

  describe('refreshOnce', () => {
    it('runs one refresh of a key at a time', async () => {
      const { fills, backend, clock, locks } = setup();
      await backend.set(KEY, entryAt(T0, 'stale', 1));
      clock.ms += 1_500;
      const refresh = deferred<void>();
      let runs = 0;
      const run = () => (runs++, refresh.promise);
      fills.refreshOnce(KEY, run);
      fills.refreshOnce(KEY, run);
      expect(fills.isRefreshing(KEY)).toBe(true);
      await until(() => runs === 1);
      expect(await locks.get(`refresh:${KEY}`)).toBeDefined();
      fills.refreshOnce(KEY, run);
      refresh.resolve();
      await until(() => !fills.isRefreshing(KEY));
      expect(runs).toBe(1);
      expect(await locks.get(`refresh:${KEY}`)).toBeUndefined();
    });

    it('skips the refresh when the entry is fresh by the clock (an earlier refresh landed)', async () => {
      const { fills, backend } = setup();
      await backend.set(KEY, entryAt(T0, 'refreshed'));
      let runs = 0;
      fills.refreshOnce(KEY, async () => void runs++);
      await until(() => !fills.isRefreshing(KEY));
      expect(runs).toBe(0);
    });

    it('leaves the refresh to the instance holding its lock', async () => {
      const { fills, locks } = setup();
      await locks.add(`refresh:${KEY}`, 'other-instance', 10);
      let runs = 0;
      fills.refreshOnce(KEY, async () => void runs++);
      await until(() => !fills.isRefreshing(KEY));
      expect(runs).toBe(0);
      expect(await locks.get(`refresh:${KEY}`)).toBe('other-instance');
    });

    it('never rejects when the refresh fails, and lets the next one run', async () => {
      const { fills, locks } = setup();
      let runs = 0;
      fills.refreshOnce(KEY, async () => {
        runs++;
        throw new Error('handler failed');
      });
      await until(() => !fills.isRefreshing(KEY));
      expect(await locks.get(`refresh:${KEY}`)).toBeUndefined();
      fills.refreshOnce(KEY, async () => void runs++);
      await until(() => !fills.isRefreshing(KEY));
      expect(runs).toBe(2);
    });
  });
});
