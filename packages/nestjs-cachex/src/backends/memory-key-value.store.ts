import { type LRUCache } from 'lru-cache';
import { type KeyValueStore } from './cache-backend.js';
import { compileGlob } from './glob.js';

/** What a namespace key holds in memory: a string, or a set of members. */
export type MemoryValue = string | Set<string>;

const toMs = (ttlSeconds?: number): number | undefined =>
  ttlSeconds === undefined ? undefined : Math.ceil(ttlSeconds) * 1000;

/**
 * One namespace of `MemoryBackend`: keys live in the backend's shared,
 * bounded LRU of namespace data under `{name}:`.
 */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly prefix: string;

  constructor(
    private readonly lru: LRUCache<string, MemoryValue>,
    name: string,
  ) {
    this.prefix = `${name}:`;
  }

  async get(key: string): Promise<string | undefined> {
    const value = this.lru.get(this.prefix + key);
    return typeof value === 'string' ? value : undefined;
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    this.lru.set(this.prefix + key, value, { ttl: toMs(ttlSeconds) });
  }

  async add(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    if (this.lru.has(this.prefix + key)) return false;
    this.lru.set(this.prefix + key, value, { ttl: toMs(ttlSeconds) });
    return true;
  }

  async replace(key: string, value: string, ttlSeconds?: number): Promise<boolean> {
    if (!this.lru.has(this.prefix + key)) return false;
    this.lru.set(this.prefix + key, value, { ttl: toMs(ttlSeconds) });
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return this.lru.delete(this.prefix + key);
  }

  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    return this.lru.get(this.prefix + key) === value && this.lru.delete(this.prefix + key);
  }

  async setAdd(key: string, member: string, ttlSeconds?: number): Promise<void> {
    const full = this.prefix + key;
    const current = this.lru.get(full);
    const members = current instanceof Set ? new Set(current) : new Set<string>();
    members.add(member);
    // A set lives as long as its longest-lived member needs it.
    const remaining = this.lru.getRemainingTTL(full);
    const wanted = toMs(ttlSeconds);
    const ttl =
      wanted === undefined || remaining === Infinity ? undefined : Math.max(wanted, remaining);
    this.lru.set(full, members, { ttl });
  }

  async setRemove(key: string, member: string): Promise<void> {
    const full = this.prefix + key;
    const current = this.lru.get(full);
    if (!(current instanceof Set) || !current.has(member)) return;
    if (current.size === 1) {
      this.lru.delete(full);
      return;
    }
    const members = new Set(current);
    members.delete(member);
    this.lru.set(full, members, { ttl: this.lru.getRemainingTTL(full) || undefined });
  }

  async setMembers(key: string): Promise<string[]> {
    const value = this.lru.get(this.prefix + key);
    return value instanceof Set ? [...value] : [];
  }

  async clear(): Promise<number> {
    return this.deleteWhere(() => true);
  }

  async clearPattern(glob: string): Promise<number> {
    const pattern = compileGlob(glob);
    return this.deleteWhere((key) => pattern.test(key));
  }

  private deleteWhere(matches: (key: string) => boolean): number {
    let removed = 0;
    for (const full of [...this.lru.keys()]) {
      if (full.startsWith(this.prefix) && matches(full.slice(this.prefix.length))) {
        if (this.lru.delete(full)) removed++;
      }
    }
    return removed;
  }
}
