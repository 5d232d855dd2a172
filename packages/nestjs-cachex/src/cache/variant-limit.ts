import { LRUCache } from 'lru-cache';

/** Options of a `VariantLimit`. */
export interface VariantLimitOptions {
  /** The most live keys one group may hold (the module's `maxVariantsPerPath`, ≥ 1). */
  maxVariantsPerPath: number;
  /**
   * The most groups tracked at once (default 10 000); the least recently used
   * group is forgotten beyond it.
   */
  maxPaths?: number;
  /**
   * The most keys tracked over all groups (default 100 000, never less than
   * `maxVariantsPerPath`); least recently used groups are forgotten beyond it.
   */
  maxKeys?: number;
  /** The clock, in ms since the epoch (default `Date.now`). */
  now?: () => number;
}

/** The keys counted in one group, each with the time (ms) it stops counting. */
class VariantGroup {
  readonly expiresAt = new Map<string, number>();
  /** No key of the group expires before this (it may be earlier than the real first expiry). */
  private nextExpiryMs = Infinity;

  get size(): number {
    return this.expiresAt.size;
  }

  count(key: string, expiresAtMs: number): void {
    this.expiresAt.set(key, expiresAtMs);
    if (expiresAtMs < this.nextExpiryMs) this.nextExpiryMs = expiresAtMs;
  }

  /** Drops the expired keys and returns how many; a no-op until the first one expires. */
  purge(nowMs: number): number {
    if (nowMs < this.nextExpiryMs) return 0;
    let removed = 0;
    let next = Infinity;
    for (const [key, at] of this.expiresAt) {
      if (at <= nowMs) {
        this.expiresAt.delete(key);
        removed++;
      } else if (at < next) {
        next = at;
      }
    }
    this.nextExpiryMs = next;
    return removed;
  }
}

/**
 * Counts the entries stored per group (one method, origin and path) in this
 * process and refuses new ones beyond `maxVariantsPerPath`, so one path cannot
 * fill the cache with query-string or `Vary` variants.
 *
 * The caller passes as `group` the logical key with its query removed
 * (`{METHOD}|||{origin}|||{path}`) and as `key` the key the entry is stored
 * under (its query and Vary variant included), and asks `admit()` before
 * storing: `false` means do not store (`Cache-Status: …; detail=variants`).
 *
 * A key counts until the time its entry leaves the backend (`ttlMs`), and is
 * dropped lazily: a group is scanned only when one of its keys has expired,
 * never on a timer. Entries removed early (`clearPath`) are given back with
 * `forget(group)`; entries removed otherwise (tags, patterns, LRU eviction in
 * the backend) keep counting until their ttl ends, which errs on the side of
 * storing less.
 *
 * Memory is bounded: at most `maxPaths` groups and `maxKeys` keys are tracked,
 * the least recently used groups being forgotten first. Forgetting a group
 * only loosens the bound for that group (it starts counting again from zero);
 * nothing is ever held without bound.
 *
 * @example
 * const limit = new VariantLimit({ maxVariantsPerPath: 1000 });
 * if (limit.admit('GET|||https://shop.example|||/products', key, 60_000)) {
 *   await backend.set(key, entry, 60);
 * }
 */
export class VariantLimit {
  private readonly maxVariants: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly groups: LRUCache<string, VariantGroup>;
  private trackedKeys = 0;

  constructor(options: VariantLimitOptions) {
    this.maxVariants = whole(options.maxVariantsPerPath, 'maxVariantsPerPath');
    const maxPaths = whole(options.maxPaths ?? 10_000, 'maxPaths');
    this.maxKeys = Math.max(whole(options.maxKeys ?? 100_000, 'maxKeys'), this.maxVariants);
    this.now = options.now ?? Date.now;
    this.groups = new LRUCache<string, VariantGroup>({
      max: maxPaths,
      // Called whenever a group leaves (evicted, forgotten, cleared): its keys stop being tracked.
      dispose: (group) => {
        this.trackedKeys -= group.size;
      },
    });
  }

  /**
   * Whether an entry stored under `key` in `group` for `ttlMs` milliseconds
   * may be stored: true when `key` is already counted (a re-store, which
   * restarts its count for `ttlMs`) or the group holds fewer than
   * `maxVariantsPerPath` live keys (then `key` counts until `now() + ttlMs`);
   * false when the group is full. `ttlMs` is how long the backend keeps the
   * entry, stale windows included (`Infinity` when it has no expiry).
   */
  admit(group: string, key: string, ttlMs: number): boolean {
    const nowMs = this.now();
    const expiresAtMs = ttlMs > 0 ? nowMs + ttlMs : nowMs;
    let counted = this.groups.get(group);
    if (counted === undefined) {
      counted = new VariantGroup();
      this.groups.set(group, counted);
    } else if (counted.expiresAt.has(key)) {
      counted.count(key, expiresAtMs);
      return true;
    } else {
      this.trackedKeys -= counted.purge(nowMs);
      if (counted.size >= this.maxVariants) return false;
    }
    counted.count(key, expiresAtMs);
    this.trackedKeys++;
    // The group just used is the most recent one, so these are others.
    while (this.trackedKeys > this.maxKeys && this.groups.pop() !== undefined);
    return true;
  }

  /** Stops counting `group`'s keys, e.g. after `clearPath` removed its entries. */
  forget(group: string): void {
    this.groups.delete(group);
  }

  /** Stops counting every group, e.g. after `clear()`. */
  clear(): void {
    this.groups.clear();
  }

  /** How many groups are tracked. */
  get groupCount(): number {
    return this.groups.size;
  }

  /** How many keys are tracked over all groups (expired ones included until dropped). */
  get keyCount(): number {
    return this.trackedKeys;
  }
}

function whole(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `VariantLimit: \`${name}\` must be a whole number ≥ 1, got ${String(value)}`,
    );
  }
  return value;
}
