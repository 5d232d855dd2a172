import {
  CacheBackend,
  type ClearPathOptions,
  type InvalidateTagsOptions,
  type KeyValueStore,
} from '../backends/cache-backend.js';
import { type CacheEntry, entryLifetimeSeconds } from '../backends/cache-entry.js';
import { compileGlob } from '../backends/glob.js';
import { CacheXConfigError } from '../common/errors.js';
import { keyLocation } from '../http/cache-key.js';
import { type RedisBackendOptions } from './redis-backend.options.js';
import { RedisConnection } from './redis-connection.js';
import { decodeEntry, encodeEntry } from './redis-entry.codec.js';
import { globLiteralPrefix, RedisKeyLayout } from './redis-key-layout.js';
import { RedisKeyValueStore } from './redis-key-value.store.js';
import { RedisReadBatcher } from './redis-read-batcher.js';
import { INDEX_ADD, MARK_INVALIDATED } from './redis-lua.scripts.js';

/**
 * A `CacheBackend` on Redis (through ioredis): a standalone server, Sentinel,
 * or Redis Cluster. Entries are binary-safe Redis strings with Redis's own
 * expiry; a hit is one GET, sent in one pipeline with the others of its
 * event-loop turn. Each path and tag has an index that expires with
 * its entries, so `clearPath` and `invalidateTags` cost as much as the entries
 * they touch; `clearPattern`, `clear` and `keys` walk with SCAN (never KEYS) on
 * every master. Everything lives under `keyPrefix` (default `'cachex:'`), and
 * `clear()` reaches response-cache entries only, never `namespace()` data.
 *
 * Every command is bounded by `commandTimeoutMs` (default 500); when Redis is
 * down or stalled calls reject quickly (the interceptor then answers from the
 * handler), and caching resumes by itself when it is back.
 *
 * @example
 * // a standalone server
 * CacheXModule.forRoot({ backend: new RedisBackend({ host: 'redis', port: 6379 }) });
 * // Sentinel
 * new RedisBackend({ sentinels: [{ host: 'sentinel-1', port: 26379 }], name: 'mymaster' });
 * // Redis Cluster
 * new RedisBackend({ cluster: { nodes: [{ host: 'redis-1', port: 7000 }] } });
 * // a client you own and close yourself
 * new RedisBackend({ client: new Redis(process.env.REDIS_URL), keyPrefix: 'shop:' });
 */
export class RedisBackend extends CacheBackend {
  private readonly connection: RedisConnection;
  private readonly layout: RedisKeyLayout;
  private readonly reads: RedisReadBatcher;

  constructor(options: RedisBackendOptions = {}) {
    super();
    const keyPrefix = options.keyPrefix ?? 'cachex:';
    if (/[{}]/.test(keyPrefix)) {
      throw new CacheXConfigError(
        `RedisBackend: \`keyPrefix\` must not contain '{' or '}' (got '${keyPrefix}'): the backend places its own Cluster hash tags`,
      );
    }
    this.layout = new RedisKeyLayout(keyPrefix);
    this.connection = new RedisConnection(options);
    this.reads = new RedisReadBatcher(this.connection.client);
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const stored = await this.connection.single('get', () =>
      this.reads.get(this.layout.entry(key)),
    );
    return stored ? decodeEntry(stored) : undefined;
  }

  async set(
    key: string,
    entry: CacheEntry,
    ttlSeconds = entryLifetimeSeconds(entry),
  ): Promise<void> {
    if (!(ttlSeconds > 0)) return;
    const ttlMs = Math.ceil(ttlSeconds * 1000);
    const location = keyLocation(key, entry);
    const indexes = (entry.tags ?? []).map((tag) => this.layout.tagIndex(tag));
    if (location) indexes.push(this.layout.pathIndex(location.path, location.query !== ''));
    // Indexes first: an entry is never stored where clearPath cannot find it.
    await Promise.all(
      indexes.map((index) => this.connection.script('set', INDEX_ADD, [index], [key, ttlMs])),
    );
    await this.connection.call('set', (client) =>
      client.set(this.layout.entry(key), encodeEntry(entry), 'PX', ttlMs),
    );
  }

  async delete(key: string): Promise<boolean> {
    return (await this.connection.unlink('delete', [this.layout.entry(key)])) > 0;
  }

  async clear(): Promise<number> {
    let removed = 0;
    for await (const keys of this.connection.scan('clear', this.layout.responsesPattern())) {
      const entries = keys.filter((key) => this.layout.isEntry(key));
      const indexes = keys.filter((key) => !this.layout.isEntry(key));
      const [count] = await Promise.all([
        this.connection.unlink('clear', entries),
        this.connection.unlink('clear', indexes),
      ]);
      removed += count;
    }
    return removed;
  }

  async clearPath(path: string, options: ClearPathOptions = {}): Promise<number> {
    const indexes = [this.layout.pathIndex(path, false)];
    if (options.includeQuery ?? true) indexes.push(this.layout.pathIndex(path, true));
    return this.invalidateIndexed('clearPath', indexes, options.soft ?? false);
  }

  async clearPattern(glob: string): Promise<number> {
    const pattern = compileGlob(glob);
    const scanPattern = this.layout.pathIndexesPattern(globLiteralPrefix(glob));
    let removed = 0;
    for await (const keys of this.connection.scan('clearPattern', scanPattern)) {
      const indexes = keys.filter((key) => pattern.test(this.layout.indexedPath(key) ?? ''));
      const counts = await Promise.all(
        indexes.map((index) => this.invalidateIndexed('clearPattern', [index], false)),
      );
      removed += counts.reduce((total, count) => total + count, 0);
    }
    return removed;
  }

  override async invalidateTags(
    tags: string[],
    options: InvalidateTagsOptions = {},
  ): Promise<number> {
    const indexes = [...new Set(tags)].map((tag) => this.layout.tagIndex(tag));
    return this.invalidateIndexed('invalidateTags', indexes, options.soft ?? false);
  }

  async *keys(): AsyncIterable<string> {
    const seen = new Set<string>();
    for await (const redisKeys of this.connection.scan('keys', this.layout.entriesPattern())) {
      for (const redisKey of redisKeys) {
        const key = this.layout.logicalKey(redisKey);
        if (key === undefined || seen.has(key)) continue;
        seen.add(key);
        yield key;
      }
    }
  }

  override namespace(name: string): KeyValueStore {
    return new RedisKeyValueStore(this.connection, this.layout.namespace(name));
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /**
   * Deletes (or, with `soft`, marks invalidated) the entries listed in the
   * indexes and counts those that existed. Deleted members leave their
   * indexes; other indexes keep dangling members until they expire, which
   * costs nothing but a no-op on a later purge.
   */
  private async invalidateIndexed(
    operation: string,
    indexes: string[],
    soft: boolean,
  ): Promise<number> {
    const members = await Promise.all(
      indexes.map((index) =>
        this.connection.call(operation, (client) => client.zrange(index, 0, '-1')),
      ),
    );
    const entryKeys = [...new Set(members.flat())].map((key) => this.layout.entry(key));
    if (entryKeys.length === 0) return 0;
    if (soft) return this.markInvalidated(operation, entryKeys);
    const removed = await this.connection.unlink(operation, entryKeys);
    await Promise.all(
      indexes.map((index, i) => this.connection.removeMembers(operation, index, members[i]!)),
    );
    return removed;
  }

  private async markInvalidated(operation: string, entryKeys: string[]): Promise<number> {
    const counts = await Promise.all(
      this.connection
        .slotGroups(entryKeys)
        .map((group) => this.connection.script(operation, MARK_INVALIDATED, group)),
    );
    return counts.reduce<number>((total, count) => total + Number(count), 0);
  }
}
