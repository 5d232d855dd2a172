import { LRUCache } from 'lru-cache';
import { CacheXConfigError } from '../common/errors.js';
import { keyLocation } from '../http/cache-key.js';
import {
  CacheBackend,
  type CacheBackendOptions,
  type CacheBackendStats,
  type ClearPathOptions,
  type InvalidateTagsOptions,
  type KeyValueStore,
  LOCK_NAMESPACE,
} from './cache-backend.js';
import { type CacheEntry, entryLifetimeSeconds } from './cache-entry.js';
import { compileGlob } from './glob.js';
import { MemoryKeyValueStore, type MemoryValue } from './memory-key-value.store.js';

/** Options of `MemoryBackend`. */
export interface MemoryBackendOptions extends CacheBackendOptions {
  /** Most response entries kept (default 10 000); the least recently used go first. */
  maxEntries?: number;
  /**
   * Most bytes of bodies (compressed variants included) and headers kept (default 64 MiB). **Memory is bounded
   * only by these two limits**: raise them with care, never remove them.
   */
  maxBytes?: number;
  /** How often expired entries are swept, in ms (default 60 000; 0 turns the sweep off). */
  cleanupIntervalMs?: number;
}

/**
 * Bytes charged per entry on top of its body and headers: the entry and
 * header objects, the key, the LRU's and the indexes' share. Measured with a
 * million 1 KB inserts: about 1.3-1.5 KB of heap per kept entry, so that
 * `maxBytes` bounds the process's memory, not only the payloads.
 */
const ENTRY_OVERHEAD_BYTES = 1536;
/**
 * Bytes charged per compressed variant on top of its bytes: its Buffer
 * object and its slot in the entry's `encoded` record.
 */
const VARIANT_OVERHEAD_BYTES = 256;

/**
 * Most locks kept at once: one per key being filled. Past it the oldest lock
 * goes, which costs at most one more handler run for its key.
 */
const MAX_LOCKS = 10_000;

/**
 * The default backend: a per-process LRU, bounded by entry count and bytes,
 * with per-entry TTL and path and tag indexes, so `clearPath` and
 * `invalidateTags` cost as much as the entries they remove. The sweep timer is
 * `unref`'d: it never keeps the process alive.
 *
 * @example
 * CacheXModule.forRoot({ backend: new MemoryBackend({ maxEntries: 50_000, maxBytes: 256 * 1024 ** 2 }) })
 */
export class MemoryBackend extends CacheBackend {
  private readonly entries: LRUCache<string, CacheEntry>;
  private readonly data: LRUCache<string, MemoryValue>;
  /** Locks live apart from sessions and data, so a burst of them evicts no session. */
  private readonly locks = new LRUCache<string, MemoryValue>({ max: MAX_LOCKS });
  private readonly byPath: KeyIndex = new Map();
  private readonly byTag: KeyIndex = new Map();
  private readonly sweep?: NodeJS.Timeout;

  constructor(options: MemoryBackendOptions = {}) {
    super();
    const maxEntries = positive(options.maxEntries ?? 10_000, 'maxEntries');
    const maxBytes = positive(options.maxBytes ?? 64 * 1024 * 1024, 'maxBytes');
    this.entries = new LRUCache<string, CacheEntry>({
      max: maxEntries,
      maxSize: maxBytes,
      sizeCalculation: (entry, key) => entrySize(key, entry),
      dispose: (entry, key) => this.unindex(key, entry),
    });
    this.data = new LRUCache<string, MemoryValue>({
      max: maxEntries,
      maxSize: maxBytes,
      sizeCalculation: (value, key) =>
        key.length +
        (typeof value === 'string' ? value.length : [...value].join().length) +
        ENTRY_OVERHEAD_BYTES,
    });
    const interval = options.cleanupIntervalMs ?? 60_000;
    if (interval > 0) {
      this.sweep = setInterval(() => {
        this.entries.purgeStale();
        this.data.purgeStale();
        this.locks.purgeStale();
      }, interval);
      this.sweep.unref();
    }
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    return this.entries.get(key);
  }

  async set(
    key: string,
    entry: CacheEntry,
    ttlSeconds = entryLifetimeSeconds(entry),
  ): Promise<void> {
    if (ttlSeconds <= 0) return;
    this.entries.set(key, entry, { ttl: ttlSeconds * 1000 });
    // An entry too large for maxBytes is refused by the LRU: index only what is stored.
    if (!this.entries.has(key)) return;
    const path = pathOf(key, entry);
    if (path !== undefined) addTo(this.byPath, path, key);
    if (entry.tags) for (const tag of entry.tags) addTo(this.byTag, tag, key);
  }

  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }

  async clear(): Promise<number> {
    const count = this.entries.size;
    this.entries.clear();
    return count;
  }

  async clearPath(path: string, options: ClearPathOptions = {}): Promise<number> {
    const includeQuery = options.includeQuery ?? true;
    const keys = keysOf(this.byPath, path).filter(
      (key) => includeQuery || keyLocation(key, this.entries.peek(key))?.query === '',
    );
    return this.invalidate(keys, options.soft);
  }

  async clearPattern(glob: string): Promise<number> {
    const pattern = compileGlob(glob);
    const keys = [...this.byPath.keys()].flatMap((path) =>
      pattern.test(path) ? keysOf(this.byPath, path) : [],
    );
    return this.invalidate(keys);
  }

  override async invalidateTags(
    tags: string[],
    options: InvalidateTagsOptions = {},
  ): Promise<number> {
    const keys = new Set(tags.flatMap((tag) => keysOf(this.byTag, tag)));
    return this.invalidate([...keys], options.soft);
  }

  /**
   * Every live key, most recently used first, read as the caller consumes
   * them: one that stops early (the admin page's first page of keys) reads
   * no further, however many entries there are. Writes made meanwhile may be
   * missed or shift the keys that follow.
   */
  async *keys(): AsyncIterable<string> {
    for (const key of this.entries.keys()) {
      if (this.entries.has(key)) yield key;
    }
  }

  /** The entries held and the bytes charged for them against `maxBytes`. */
  override async stats(): Promise<CacheBackendStats> {
    return { entries: this.entries.size, bytes: this.entries.calculatedSize };
  }

  override namespace(name: string): KeyValueStore {
    return new MemoryKeyValueStore(name === LOCK_NAMESPACE ? this.locks : this.data, name);
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    this.entries.clear();
    this.data.clear();
    this.locks.clear();
  }

  /** Deletes the keys, or with `soft` marks their entries stale; counts live entries. */
  private invalidate(keys: string[], soft = false): number {
    let count = 0;
    for (const key of keys) {
      if (!soft) {
        if (this.entries.delete(key)) count++;
        continue;
      }
      const entry = this.entries.peek(key);
      if (entry) {
        entry.invalidated = true;
        count++;
      }
    }
    return count;
  }

  private unindex(key: string, entry: CacheEntry): void {
    const path = pathOf(key, entry);
    if (path !== undefined) removeFrom(this.byPath, path, key);
    if (entry.tags) for (const tag of entry.tags) removeFrom(this.byTag, tag, key);
  }
}

function entrySize(key: string, entry: CacheEntry): number {
  let size = ENTRY_OVERHEAD_BYTES + key.length + entry.body.length;
  for (const coding in entry.encoded) {
    size += entry.encoded[coding]!.length + VARIANT_OVERHEAD_BYTES;
  }
  for (const name in entry.headers) size += name.length + entry.headers[name]!.length;
  return size;
}

function positive(value: number, option: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new CacheXConfigError(
      `MemoryBackend: \`${option}\` must be a positive integer, got ${value}`,
    );
  }
  return value;
}

/**
 * Keys by path or tag. Most paths have one entry, so a lone key is kept as
 * is and becomes a `Set` with the second: a million inserts then make no
 * million one-element sets for the garbage collector.
 */
type KeyIndex = Map<string, string | Set<string>>;

function addTo(index: KeyIndex, name: string, key: string): void {
  const keys = index.get(name);
  if (keys === undefined) index.set(name, key);
  else if (typeof keys !== 'string') keys.add(key);
  else if (keys !== key) index.set(name, new Set([keys, key]));
}

function removeFrom(index: KeyIndex, name: string, key: string): void {
  const keys = index.get(name);
  if (keys === undefined) return;
  if (typeof keys === 'string') {
    if (keys === key) index.delete(name);
    return;
  }
  keys.delete(key);
  if (keys.size === 0) index.delete(name);
}

function keysOf(index: KeyIndex, name: string): string[] {
  const keys = index.get(name);
  if (keys === undefined) return [];
  return typeof keys === 'string' ? [keys] : [...keys];
}

/** The path an entry is indexed under: its own, else the one in its key. */
function pathOf(key: string, entry: CacheEntry): string | undefined {
  return entry.path ?? keyLocation(key)?.path;
}
