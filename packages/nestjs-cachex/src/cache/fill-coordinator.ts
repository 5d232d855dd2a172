import { LRUCache } from 'lru-cache';
import { type CacheBackend, LOCK_NAMESPACE, optionalNamespace } from '../backends/cache-backend.js';
import { type CacheEntry, isFresh } from '../backends/cache-entry.js';
import { type Clock } from '../common/clock.js';
import { withTimeout } from '../common/with-timeout.js';
import { type BackendCalls } from './backend-call.js';
import { BackendLock } from './backend-lock.js';

/** How a fill of one key is shared: the leader's entry, or `undefined` when it stored none. */
type Fill = Promise<CacheEntry | undefined>;

/** Options of the `FillCoordinator`, from the module's options. */
export interface FillCoordinatorOptions {
  /** How long a follower waits for a leader, in ms. */
  waitMs: number;
  /**
   * Seconds a key whose response was not storable skips coalescing
   * (hit-for-miss): a whole number, as the module validates it; 0: never.
   */
  hitForMissTtl: number;
}

/**
 * Lets one request per key run the handler while the others wait for its
 * entry (stampede protection, like Varnish's waiting list or nginx's
 * `proxy_cache_lock`): within the process through a shared promise, across
 * instances through a lock in the backend that expires on its own if its
 * owner dies. Keys found not storable skip the line for a while (hit-for-miss).
 * Freshness and hit-for-miss read the `Clock`; waits for a leader and lock
 * lifetimes are real time (the lock expires in the backend).
 */
export class FillCoordinator {
  private readonly inFlight = new Map<string, Fill>();
  private readonly refreshing = new Set<string>();
  /** Keys found not storable, each with the time (epoch ms, by the clock) it may coalesce again. */
  private readonly uncacheable = new LRUCache<string, number>({ max: 10_000 });
  /** Cross-instance locks (none held when the backend has no namespace: coalescing is then per process). */
  private readonly locks: BackendLock;

  constructor(
    private readonly backend: CacheBackend,
    private readonly calls: BackendCalls,
    private readonly options: FillCoordinatorOptions,
    private readonly clock: Clock,
  ) {
    this.locks = new BackendLock(optionalNamespace(backend, LOCK_NAMESPACE), calls, options.waitMs);
  }

  /** The fill already running for `key` in this process, if any. */
  pending(key: string): Fill | undefined {
    return this.inFlight.get(key);
  }

  /** Whether `key` was recently found not storable, so requests for it need not wait. */
  isUncacheable(key: string): boolean {
    if (this.options.hitForMissTtl <= 0) return false;
    const until = this.uncacheable.peek(key);
    if (until === undefined) return false;
    if (this.clock.now() < until) return true;
    this.uncacheable.delete(key);
    return false;
  }

  /** Lets requests for `key` skip coalescing for `hitForMissTtl` seconds (none when it is 0). */
  markUncacheable(key: string): void {
    if (this.options.hitForMissTtl <= 0) return;
    this.uncacheable.set(key, this.clock.now() + this.options.hitForMissTtl * 1000);
  }

  /**
   * Runs `fill` as the one filler of `key`. When another instance holds the
   * lock, waits for its entry instead and returns it (`fill` is then not run,
   * unless the wait ends empty). The fill's entry is shared with followers.
   * With `acrossInstances: false` (the backend just failed) only this
   * process's requests are coalesced, and the backend is not asked again.
   */
  async lead(
    key: string,
    fill: () => Promise<CacheEntry | undefined>,
    acrossInstances = true,
  ): Promise<{ entry?: CacheEntry; filledHere: boolean }> {
    let share!: (entry: CacheEntry | undefined) => void;
    this.inFlight.set(key, new Promise((resolve) => (share = resolve)));
    let entry: CacheEntry | undefined;
    try {
      const lock = `fill:${key}`;
      const token = acrossInstances ? await this.locks.take(lock) : undefined;
      // Another instance may have filled the key between our miss and our lock.
      if (token === null) {
        entry = await this.locks.waitForHolder(lock, () => this.peek(key));
      } else if (acrossInstances) entry = await this.peek(key);
      if (entry) {
        if (token) void this.locks.release(lock, token);
        return { entry, filledHere: false };
      }
      try {
        entry = await fill();
      } finally {
        if (token) void this.locks.release(lock, token);
      }
      return { entry, filledHere: true };
    } finally {
      this.inFlight.delete(key);
      share(entry);
    }
  }

  /** Waits for this process's fill of `key`, at most `waitMs`; `undefined` if it stored nothing. */
  follow(fill: Fill): Promise<CacheEntry | undefined> {
    return withTimeout(fill, this.options.waitMs, 'coalesced fill').catch(() => undefined);
  }

  /**
   * Runs `refresh` in the background unless a refresh of `key` already runs,
   * here or (by the lock) in another instance. Never rejects.
   */
  refreshOnce(key: string, refresh: () => Promise<void>): void {
    if (this.refreshing.has(key)) return;
    this.refreshing.add(key);
    void (async () => {
      const lock = `refresh:${key}`;
      const token = await this.locks.take(lock);
      if (token === null) return;
      try {
        // A request that read the stale entry before an earlier refresh (here or
        // in another instance) landed comes here after it: nothing is stale now.
        if (!(await this.peek(key))) await refresh();
      } finally {
        if (token) await this.locks.release(lock, token);
      }
    })()
      .catch(() => undefined)
      .finally(() => this.refreshing.delete(key));
  }

  /** Whether a refresh of `key` is under way in this process. */
  isRefreshing(key: string): boolean {
    return this.refreshing.has(key);
  }

  /**
   * A fresh entry stored under `key` now, or `undefined` (also when the
   * backend fails): a stale one left in its window is no one's fill.
   */
  private peek(key: string): Promise<CacheEntry | undefined> {
    return this.calls
      .bounded('get', () => this.backend.get(key))
      .then(
        (entry) => (entry && isFresh(entry, this.clock.now()) ? entry : undefined),
        () => undefined,
      );
  }
}
