import {
  CacheBackend,
  type ClearPathOptions,
  type InvalidateTagsOptions,
  type KeyValueStore,
} from '../backends/cache-backend.js';
import { type CacheEntry, entryLifetimeSeconds } from '../backends/cache-entry.js';
import { CacheXUnsupportedError } from '../common/errors.js';
import { RateLimitedLogger } from '../common/rate-limited-logger.js';
import { keyLocation } from '../http/cache-key.js';
import { MemcachedClient } from './memcached.client.js';
import { createMemjsClient } from './memjs-client.factory.js';
import {
  type Generation,
  type Standing,
  GenerationStore,
  formatGeneration,
  standing,
  worstStanding,
} from './memcached.generations.js';
import { MemcachedKeys } from './memcached.keys.js';
import {
  type MemcachedBackendOptions,
  memjsOptions,
  resolveMemcachedOptions,
} from './memcached.options.js';
import { MemcachedKeyValueStore } from './memcached-key-value.store.js';
import { decodeEntry, encodeEntry, type EntryGenerations } from './memcached-entry.codec.js';

/**
 * A `CacheBackend` on one or more memcached servers, through memjs (an
 * optional peer dependency: install `memjs` to use it).
 *
 * Memcached cannot list keys, so purges use generations (namespace
 * versions): every entry remembers the generations of the whole cache, of its
 * path and of its tags it was written under, and a purge replaces one
 * generation — one write, whatever the number of entries. Purged entries stay
 * on the server, unreachable, until their lifetime ends or memcached evicts
 * them; counts are therefore `-1`. `clearPattern()` and `keys()` reject with
 * `CacheXUnsupportedError` (use `RedisBackend`). Entries whose stored form
 * exceeds `maxValueBytes` (memcached's item size limit, 1 MiB by default) are
 * not cached, and logged at a limited rate.
 *
 * A hit costs one request while the generations it needs are cached in
 * process (`generationCacheMs`, 1 s by default; a purge made by another
 * process shows within that window). Otherwise the entry and the generations
 * of the cache and of its path are read in one round trip (three pipelined
 * gets), and tagged entries or custom keys need a second one for the rest.
 * Every call is bounded by `timeoutMs`; when memcached is down or paused calls
 * reject quickly, and the backend reconnects by itself when it returns.
 *
 * @example
 * import { MemcachedBackend } from 'nestjs-cachex/memcached';
 *
 * CacheXModule.forRoot({
 *   backend: new MemcachedBackend({
 *     servers: ['cache-1.internal:11211', 'cache-2.internal:11211'],
 *     keyPrefix: 'shop:',
 *     timeoutMs: 300,
 *   }),
 * });
 */
export class MemcachedBackend extends CacheBackend {
  private readonly logger = new RateLimitedLogger(MemcachedBackend.name);
  private readonly client: MemcachedClient;
  private readonly layout: MemcachedKeys;
  private readonly generations: GenerationStore;
  private readonly namespaces = new Map<string, MemcachedKeyValueStore>();
  private readonly maxValueBytes: number;

  constructor(options: MemcachedBackendOptions) {
    super();
    const resolved = resolveMemcachedOptions(options);
    this.client = new MemcachedClient(
      options.client ??
        createMemjsClient(options.servers!, memjsOptions(options), resolved.timeoutMs),
      options.client === undefined,
      resolved.timeoutMs,
      this.logger,
    );
    this.layout = new MemcachedKeys(resolved.keyPrefix);
    this.generations = new GenerationStore(this.client, resolved.generationCacheMs);
    this.maxValueBytes = resolved.maxValueBytes;
  }

  /** The entry, `invalidated` when soft-purged since it was stored; `undefined` when purged or absent. */
  get(key: string): Promise<CacheEntry | undefined> {
    return this.client.run('get', () => this.read(key));
  }

  /**
   * Stores the entry for `ttlSeconds` (default: its freshness plus its stale
   * window). An entry too large for memcached is not stored (and an older one
   * under the key is removed); the call still resolves.
   */
  set(key: string, entry: CacheEntry, ttlSeconds?: number): Promise<void> {
    return this.client.run('set', () => this.write(key, entry, ttlSeconds));
  }

  /** Removes one entry; `true` when there was one that `get()` would have returned. */
  delete(key: string): Promise<boolean> {
    return this.client.run('delete', async () => {
      const live = await this.read(key);
      const deleted = await this.client.delete(this.layout.entry(key));
      return live !== undefined && deleted;
    });
  }

  /** Purges every response-cache entry of this `keyPrefix` (namespaces stay): one write; `-1`. */
  clear(): Promise<number> {
    return this.client.run('clear', async () => {
      await this.generations.bump([this.layout.allGeneration()], false);
      return -1;
    });
  }

  /**
   * Purges (or with `soft`, marks stale) a path's entries for every method,
   * host and query — with `includeQuery: false`, only those without a query:
   * one or two writes; `-1`.
   */
  clearPath(path: string, options: ClearPathOptions = {}): Promise<number> {
    return this.client.run('clearPath', async () => {
      const keys = this.layout.pathGenerations(path, options.includeQuery ?? true);
      await this.generations.bump(keys, options.soft ?? false);
      return -1;
    });
  }

  /** Memcached cannot list keys: always rejects with `CacheXUnsupportedError`. */
  async clearPattern(_glob: string): Promise<number> {
    throw unsupported('clearPattern', 'use clearPath() or tags with invalidateTags()');
  }

  /** Purges (or with `soft`, marks stale) the entries of each tag: one write per tag; `-1`. */
  override invalidateTags(tags: string[], options: InvalidateTagsOptions = {}): Promise<number> {
    if (tags.length === 0) return Promise.resolve(0);
    return this.client.run('invalidateTags', async () => {
      const keys = tags.map((tag) => this.layout.tagGeneration(tag));
      await this.generations.bump(keys, options.soft ?? false);
      return -1;
    });
  }

  /** Memcached cannot list keys: always rejects with `CacheXUnsupportedError`. */
  async keys(): Promise<string[]> {
    throw unsupported('keys', 'memcached has no key listing');
  }

  /**
   * A key-value store of its own, apart from the response cache: keys under
   * the namespace's generation (`clear()` bumps it; `-1`), `add` as memcached's
   * `add`, `deleteIfEquals` and sets with CAS; `clearPattern` is refused.
   */
  override namespace(name: string): KeyValueStore {
    let store = this.namespaces.get(name);
    if (!store) {
      store = new MemcachedKeyValueStore(this.client, this.layout, this.generations, name);
      this.namespaces.set(name, store);
    }
    return store;
  }

  /** Waits for calls in flight, then closes the connections it opened (a given `client` stays open). */
  close(): Promise<void> {
    return this.client.close();
  }

  private async read(key: string): Promise<CacheEntry | undefined> {
    // The entry and its likely generations in one round trip; the location is
    // guessed from the key, and only a custom key or tags need a second one.
    const guessed = keyLocation(key);
    const [stored, current] = await Promise.all([
      this.client.get(this.layout.entry(key)),
      this.generations.read([
        this.layout.allGeneration(),
        ...(guessed ? [this.layout.locationGeneration(guessed)] : []),
      ]),
    ]);
    if (!stored) return undefined;
    const decoded = decodeEntry(stored.value);
    if (!decoded) return undefined;
    const { entry, generations } = decoded;
    const keys = this.generationKeys(key, entry);
    const missing = [keys.location, ...keys.tags].filter(
      (k): k is string => k !== undefined && !current.has(k),
    );
    if (missing.length > 0) {
      for (const [k, generation] of await this.generations.read(missing)) {
        current.set(k, generation);
      }
    }
    switch (this.standing(keys, generations, current)) {
      case 'gone':
        return undefined;
      case 'stale':
        return { ...entry, invalidated: true };
      default:
        return entry;
    }
  }

  private async write(key: string, entry: CacheEntry, ttlSeconds?: number): Promise<void> {
    const lifetime = ttlSeconds ?? entryLifetimeSeconds(entry);
    if (!(lifetime > 0)) return;
    const serverKey = this.layout.entry(key);
    if (entry.body.length > this.maxValueBytes) {
      return this.refuseTooLarge(key, entry, entry.body.length);
    }
    const keys = this.generationKeys(key, entry);
    const current = await this.generations.ensure([
      keys.all,
      ...(keys.location ? [keys.location] : []),
      ...keys.tags,
    ]);
    const format = (k: string): string => formatGeneration(current.get(k)!);
    const generations = {
      all: format(keys.all),
      location: keys.location && format(keys.location),
      tags: keys.tags.length > 0 ? keys.tags.map(format) : undefined,
    };
    let value = encodeEntry(entry, generations);
    if (value.length > this.maxValueBytes && entry.encoded) {
      // Too large with its compressed variants: kept without them, answered as identity.
      const { encoded: _dropped, ...identity } = entry;
      value = encodeEntry(identity, generations);
    }
    if (
      value.length > this.maxValueBytes ||
      (await this.client.write('set', serverKey, value, lifetime)) === 'too-large'
    ) {
      return this.refuseTooLarge(key, entry, value.length);
    }
  }

  private async refuseTooLarge(key: string, entry: CacheEntry, bytes: number): Promise<void> {
    const path = keyLocation(key, entry)?.path;
    this.logger.error(
      'too-large',
      `MemcachedBackend: not caching a response${path === undefined ? '' : ` of ${path.slice(0, 200)}`}: ${bytes} bytes exceed memcached's item size limit (maxValueBytes: ${this.maxValueBytes})`,
    );
    // An older, smaller entry must not be served in place of the answer just refused.
    await this.client.delete(this.layout.entry(key));
  }

  /** The generation keys an entry depends on. */
  private generationKeys(key: string, entry: CacheEntry): GenerationKeys {
    const location = keyLocation(key, entry);
    return {
      all: this.layout.allGeneration(),
      location: location && this.layout.locationGeneration(location),
      tags: (entry.tags ?? []).map((tag) => this.layout.tagGeneration(tag)),
    };
  }

  /** How an entry stands: its generations then against the current ones. */
  private standing(
    keys: GenerationKeys,
    then: EntryGenerations,
    now: Map<string, Generation>,
  ): Standing {
    if (
      (keys.location === undefined) !== (then.location === undefined) ||
      keys.tags.length !== (then.tags?.length ?? 0)
    ) {
      return 'gone';
    }
    return worstStanding([
      standing(then.all, now.get(keys.all)),
      ...(keys.location ? [standing(then.location, now.get(keys.location))] : []),
      ...keys.tags.map((k, i) => standing(then.tags![i], now.get(k))),
    ]);
  }
}

/** The generation keys of the whole cache, of an entry's location and of its tags. */
interface GenerationKeys {
  all: string;
  location?: string;
  tags: string[];
}

function unsupported(operation: string, instead: string): CacheXUnsupportedError {
  return new CacheXUnsupportedError(
    operation,
    'MemcachedBackend',
    `memcached cannot list or match keys (${instead}); RedisBackend supports ${operation}()`,
  );
}
