import { LRUCache } from 'lru-cache';

/** Keys whose last drop is remembered; past it the oldest are forgotten, safely. */
const MAX_REMEMBERED_DROPS = 10_000;

/**
 * Decides whether an entry read from the shared tier may be kept in the
 * local one: not when an invalidation that could concern it arrived while the
 * read was on its way, since the read may have seen the shared tier before
 * that invalidation reached it. A drop of one key (a store or a delete
 * elsewhere) concerns that key only; any other invalidation concerns every
 * read under way. Bounded: a forgotten drop counts as a drop of every key.
 */
export class TieredFillGuard {
  private sequence = 0;
  /** The sequence number of the last invalidation that concerned every key. */
  private everyKeyAt = 0;
  private readonly droppedAt = new LRUCache<string, number>({
    max: MAX_REMEMBERED_DROPS,
    dispose: (at, _key, reason) => {
      if (reason === 'evict') this.everyKeyAt = Math.max(this.everyKeyAt, at);
    },
  });

  /** A mark to take when a read of the shared tier starts. */
  mark(): number {
    return this.sequence;
  }

  /** One key was dropped (stored or deleted by another instance, or deleted here). */
  dropped(key: string): void {
    this.droppedAt.set(key, ++this.sequence);
  }

  /** An invalidation that may concern any key (a path, a glob, tags, clear, a reconnection). */
  droppedEvery(): void {
    this.everyKeyAt = ++this.sequence;
  }

  /** Whether nothing that concerns `key` happened since `mark`: the read may be kept. */
  mayKeep(key: string, mark: number): boolean {
    return this.everyKeyAt <= mark && (this.droppedAt.peek(key) ?? 0) <= mark;
  }
}
