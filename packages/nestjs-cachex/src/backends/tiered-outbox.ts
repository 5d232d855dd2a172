import { CacheXError } from '../common/errors.js';
import { type CacheBus } from './cache-bus.js';
import { type CacheInvalidation } from './cache-invalidation.js';

/** Invalidations kept for a later send; past it they are replaced by one `clear`. */
const MAX_PENDING = 1000;

/**
 * Sends an instance's invalidations on the bus. One that cannot be sent (the
 * bus is down, the send failed) is kept and sent again with the next one
 * while the bus is connected, and when it reconnects (the caller's `flush()`),
 * so the others still drop what this instance invalidated. Invalidations only
 * remove or mark, so their order does not matter. Bounded: past
 * `MAX_PENDING` the kept ones become one `clear`.
 */
export class TieredOutbox {
  private pending: CacheInvalidation[] = [];

  constructor(
    private readonly bus: CacheBus,
    private readonly origin: string,
  ) {}

  /**
   * Sends `invalidation`, and what waits if the bus is connected (while it is
   * not, every retry would fail; the caller flushes when it is back); rejects
   * when `invalidation` had to be kept for later.
   */
  async send(invalidation: CacheInvalidation): Promise<void> {
    if (this.pending.length > 0 && this.bus.connected) this.flush().catch(() => undefined);
    try {
      await this.publish(invalidation);
    } catch (error) {
      this.keep(invalidation);
      throw error;
    }
  }

  /** Sends every invalidation that waits; rejects with the first failure, keeping those that failed. */
  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const results = await Promise.allSettled(
      batch.map((invalidation) => this.publish(invalidation)),
    );
    const failures = results.flatMap((result, i) =>
      result.status === 'rejected' ? [{ invalidation: batch[i]!, error: result.reason }] : [],
    );
    for (const { invalidation } of failures) this.keep(invalidation);
    if (failures.length > 0) throw failures[0]!.error;
  }

  private async publish(invalidation: CacheInvalidation): Promise<void> {
    if (!this.bus.connected) {
      throw new CacheXError('TieredBackend: the bus is disconnected', 'CACHEX_BUS_DOWN');
    }
    await this.bus.publish({ origin: this.origin, invalidation });
  }

  private keep(invalidation: CacheInvalidation): void {
    if (this.pending.length >= MAX_PENDING) this.pending = [{ op: 'clear' }];
    else this.pending.push(invalidation);
  }
}
