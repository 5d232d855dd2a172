import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BackendBreaker, logBreakerChanges } from '../cache/backend-breaker.js';
import { CacheXConfigError, CacheXError, CacheXUnsupportedError } from '../common/errors.js';
import { RateLimitedLogger } from '../common/rate-limited-logger.js';
import {
  CacheBackend,
  type ClearPathOptions,
  type InvalidateTagsOptions,
  type KeyValueStore,
} from './cache-backend.js';
import { type CacheBus, type CacheBusMessage } from './cache-bus.js';
import { type CacheEntry, entryLifetimeSeconds } from './cache-entry.js';
import { applyInvalidation, type CacheInvalidation } from './cache-invalidation.js';
import { TieredBusLoss } from './tiered-bus-loss.js';
import { TieredFillGuard } from './tiered-fill.guard.js';
import { TieredOutbox } from './tiered-outbox.js';

/** Options of `TieredBackend`. */
export interface TieredBackendOptions {
  /** The in-process tier, usually a `MemoryBackend`: its limits bound this instance's memory. */
  local: CacheBackend;
  /**
   * The tier every instance shares (`RedisBackend`, `MemcachedBackend`). It
   * must show another instance's purges at once: give a `MemcachedBackend`
   * `generationCacheMs: 0`, or an instance that drops its local copy on a
   * purge may read the purged entry again and keep it.
   */
  shared: CacheBackend;
  /** Carries invalidations between instances (`RedisBus`). */
  bus: CacheBus;
  /**
   * While the bus is disconnected, how long a local entry may still be served
   * after it was last known to be current, in ms (default 1000). Larger keeps
   * answering from local through a longer outage of the shared tier; smaller
   * bounds how long an entry invalidated elsewhere may still be served here.
   */
  busLossMaxAgeMs?: number;
}

/** Shared-tier failures in a row that make it skipped for a while. */
const SHARED_BREAKER_FAILURES = 5;
/** How long the shared tier is skipped before one call probes it, in ms. */
const SHARED_BREAKER_MS = 1000;

/**
 * Two tiers for a fleet of instances: an in-process `local` tier in front of
 * a `shared` one, kept coherent by a `bus`. A hit in `local` makes no network
 * call; a miss reads `shared` and keeps the entry in `local` for what is left
 * of its life; a store writes both and tells the other instances to drop
 * their copy. `delete`, `clear`, `clearPath`, `clearPattern` and
 * `invalidateTags` act on both tiers and are published, and every other
 * instance applies them to its `local` tier. `namespace()` (sessions,
 * `CacheManager` data, locks) and `keys()` are the shared tier's.
 *
 * While the bus is down, a local entry is served only within
 * `busLossMaxAgeMs` of when it was last known current; when it is back the
 * local tier is emptied. When the shared tier fails, reads and stores go on
 * with `local` (failures logged at a limited rate, the shared tier skipped
 * for a second after 5 in a row); an invalidation it failed is still applied
 * here and published, then rejects. `close()` closes the two tiers and the bus.
 *
 * @example
 * new TieredBackend({
 *   local: new MemoryBackend({ maxBytes: 64 * 1024 * 1024 }),
 *   shared: new RedisBackend({ host: 'redis' }),
 *   bus: new RedisBus({ host: 'redis' }),
 * });
 */
export class TieredBackend extends CacheBackend {
  private readonly local: CacheBackend;
  private readonly shared: CacheBackend;
  private readonly bus: CacheBus;
  /** This instance's id on the bus: its own messages come back to it and are ignored. */
  private readonly id = randomUUID();
  private readonly busLoss: TieredBusLoss;
  private readonly fills = new TieredFillGuard();
  private readonly outbox: TieredOutbox;
  private readonly breaker: BackendBreaker;
  private readonly log = new RateLimitedLogger('TieredBackend');

  constructor(options: TieredBackendOptions) {
    super();
    const { local, shared, bus } = options;
    if (!local || !shared || !bus) {
      throw new CacheXConfigError('TieredBackend: give `local`, `shared` and `bus`');
    }
    if (local === shared) {
      throw new CacheXConfigError('TieredBackend: `local` and `shared` must be two backends');
    }
    const busLossMaxAgeMs = options.busLossMaxAgeMs ?? 1000;
    if (!Number.isFinite(busLossMaxAgeMs) || busLossMaxAgeMs < 0) {
      throw new CacheXConfigError(
        `TieredBackend: \`busLossMaxAgeMs\` must be a number of milliseconds >= 0, got ${busLossMaxAgeMs}`,
      );
    }
    this.local = local;
    this.shared = shared;
    this.bus = bus;
    this.busLoss = new TieredBusLoss(busLossMaxAgeMs);
    this.outbox = new TieredOutbox(bus, this.id);
    this.breaker = new BackendBreaker({
      failures: SHARED_BREAKER_FAILURES,
      openMs: SHARED_BREAKER_MS,
      onChange: logBreakerChanges(new Logger('TieredBackend'), 'Shared tier'),
    });
    if (!bus.connected) this.busLoss.disconnected(Date.now());
    bus.subscribe({
      message: (message) => this.received(message),
      connected: () => void this.reconnected(),
      disconnected: () => this.busLoss.disconnected(Date.now()),
    });
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    if (this.busLoss.mayServe(key, Date.now())) {
      const hit = await this.local.get(key);
      if (hit) return hit;
    }
    const mark = this.fills.mark();
    let entry: CacheEntry | undefined;
    try {
      entry = await this.onShared('get', (shared) => shared.get(key));
    } catch (error) {
      this.report('get', error);
      return undefined;
    }
    if (entry && this.fills.mayKeep(key, mark)) await this.keepLocally(key, entry);
    return entry;
  }

  async set(key: string, entry: CacheEntry, ttlSeconds?: number): Promise<void> {
    try {
      await this.onShared('set', (shared) => shared.set(key, entry, ttlSeconds));
    } catch (error) {
      this.report('set', error);
    }
    // After the shared write: a read of the old entry still on its way is not kept.
    this.fills.dropped(key);
    await this.keepLocally(key, entry, ttlSeconds);
    await this.publish({ op: 'delete', key });
  }

  async delete(key: string): Promise<boolean> {
    return (await this.invalidate({ op: 'delete', key })) > 0;
  }

  async clear(): Promise<number> {
    return this.invalidate({ op: 'clear' });
  }

  async clearPath(path: string, options: ClearPathOptions = {}): Promise<number> {
    return this.invalidate({
      op: 'clearPath',
      path,
      includeQuery: options.includeQuery,
      soft: options.soft,
    });
  }

  async clearPattern(glob: string): Promise<number> {
    return this.invalidate({ op: 'clearPattern', glob });
  }

  override async invalidateTags(
    tags: string[],
    options: InvalidateTagsOptions = {},
  ): Promise<number> {
    return this.invalidate({ op: 'invalidateTags', tags, soft: options.soft });
  }

  /**
   * Whether the bus is connected now (`CacheBus.connected`). While it is not,
   * invalidations made by other instances may never reach this one, so local
   * entries are served only within `busLossMaxAgeMs`; `CacheXHealthIndicator`
   * reports the bus down.
   */
  get busConnected(): boolean {
    return this.bus.connected;
  }

  keys(): AsyncIterable<string> | Promise<string[]> {
    return this.shared.keys();
  }

  override namespace(name: string): KeyValueStore {
    return this.shared.namespace(name);
  }

  async close(): Promise<void> {
    await this.bus.close();
    await Promise.all([this.local.close(), this.shared.close()]);
  }

  /**
   * Applies an invalidation to the shared tier, then to the local one, then
   * publishes it: another instance that drops its copy on receipt and reads
   * the shared tier again finds it already invalidated there. A shared tier
   * that refuses the operation refuses it for both; one that fails still
   * leaves the local tier and the others invalidated, and the call rejects.
   */
  private async invalidate(invalidation: CacheInvalidation): Promise<number> {
    let count = -1;
    let failure: unknown;
    try {
      count = await this.onShared(invalidation.op, (shared) =>
        applyInvalidation(shared, invalidation),
      );
    } catch (error) {
      if (error instanceof CacheXUnsupportedError) throw error;
      failure = error;
    }
    await this.applyLocally(invalidation);
    await this.publish(invalidation);
    if (failure !== undefined) throw failure;
    return count;
  }

  private async applyLocally(invalidation: CacheInvalidation): Promise<void> {
    if (invalidation.op === 'delete') this.fills.dropped(invalidation.key);
    else this.fills.droppedEvery();
    await applyInvalidation(this.local, invalidation);
  }

  /** Keeps an entry in the local tier for `ttlSeconds`, by default what is left of its life. */
  private async keepLocally(key: string, entry: CacheEntry, ttlSeconds?: number): Promise<void> {
    const now = Date.now();
    const lifetime = ttlSeconds ?? entryLifetimeSeconds(entry) - (now - entry.storedAt) / 1000;
    if (!(lifetime > 0)) return;
    await this.local.set(key, entry, lifetime);
    this.busLoss.filled(key, now);
  }

  private async publish(invalidation: CacheInvalidation): Promise<void> {
    await this.outbox.send(invalidation).catch((error: unknown) => this.publishFailed(error));
  }

  private publishFailed(error: unknown): void {
    this.log.error(
      'publish',
      'TieredBackend: an invalidation could not be published yet; it is sent again when the bus is back',
      error,
    );
  }

  private received({ origin, invalidation }: CacheBusMessage): void {
    if (origin === this.id) return;
    this.applyLocally(invalidation).catch((error: unknown) =>
      this.log.error(
        'receive',
        'TieredBackend: an invalidation from the bus failed locally',
        error,
      ),
    );
  }

  /** The bus is back: what was published meanwhile is lost, so nothing local is trusted. */
  private async reconnected(): Promise<void> {
    try {
      await this.applyLocally({ op: 'clear' });
      if (this.bus.connected) this.busLoss.reconnected();
    } catch (error) {
      this.log.error('reconnect', 'TieredBackend: emptying the local tier failed', error);
    }
    await this.outbox.flush().catch((error: unknown) => this.publishFailed(error));
  }

  /** Runs a call on the shared tier, skipped while its breaker is open. */
  private async onShared<T>(
    operation: string,
    call: (shared: CacheBackend) => Promise<T>,
  ): Promise<T> {
    if (!this.breaker.allow()) throw new SharedTierSkippedError(operation);
    try {
      const value = await call(this.shared);
      this.breaker.succeeded();
      return value;
    } catch (error) {
      if (error instanceof CacheXUnsupportedError) this.breaker.succeeded();
      else this.breaker.failedCall();
      throw error;
    }
  }

  /** Logs a shared-tier failure at a limited rate; a skipped call was already reported by the breaker. */
  private report(operation: string, error: unknown): void {
    if (error instanceof SharedTierSkippedError) return;
    this.log.error(
      operation,
      `TieredBackend: the shared tier's ${operation} failed; going on with the local tier`,
      error,
    );
  }
}

/** A shared-tier call skipped because its breaker is open. */
class SharedTierSkippedError extends CacheXError {
  constructor(operation: string) {
    super(
      `TieredBackend.${operation}: the shared tier is skipped for a while after failing`,
      'CACHEX_BREAKER_OPEN',
    );
  }
}
