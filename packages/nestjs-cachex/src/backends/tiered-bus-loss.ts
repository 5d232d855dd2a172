import { LRUCache } from 'lru-cache';

/** Keys whose fill time is remembered while the bus is down; a forgotten one is served less long. */
const MAX_REMEMBERED_FILLS = 10_000;

/**
 * The bus-loss rule of `TieredBackend`: while the bus is connected every
 * invalidation reaches this instance, so its local entries may be served;
 * while it is down, a local entry is served only within `maxAgeMs` of the
 * last moment it was known to be current: the disconnection for an entry
 * kept before it, the fill for one kept since. So an entry another instance
 * invalidated is never served from local more than `maxAgeMs` later. Times
 * are epoch milliseconds, given by the caller.
 */
export class TieredBusLoss {
  /** When the bus went down, or `undefined` while it is up. */
  private downSince?: number;
  private readonly filledAt = new LRUCache<string, number>({ max: MAX_REMEMBERED_FILLS });

  constructor(private readonly maxAgeMs: number) {}

  /** Whether the bus is up. */
  get connected(): boolean {
    return this.downSince === undefined;
  }

  /** The bus went down at `now`. */
  disconnected(now: number): void {
    this.downSince ??= now;
  }

  /** The bus is back: local must be emptied by the caller; nothing here is needed any more. */
  reconnected(): void {
    this.downSince = undefined;
    this.filledAt.clear();
  }

  /** `key` was written to the local tier at `now`. */
  filled(key: string, now: number): void {
    if (this.downSince !== undefined) this.filledAt.set(key, now);
  }

  /** Whether the local tier's entry for `key` may be served at `now`. */
  mayServe(key: string, now: number): boolean {
    if (this.downSince === undefined) return true;
    const knownCurrentAt = this.filledAt.peek(key) ?? this.downSince;
    return now - knownCurrentAt < this.maxAgeMs;
  }
}
