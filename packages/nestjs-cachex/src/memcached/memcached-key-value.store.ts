import { type KeyValueStore } from '../backends/cache-backend.js';
import { CacheXError, CacheXUnsupportedError } from '../common/errors.js';
import { KeyedBatcher } from './keyed-batcher.js';
import { type MemcachedClient } from './memcached.client.js';
import { type GenerationStore } from './memcached.generations.js';
import { type MemcachedKeys } from './memcached.keys.js';
import {
  applySetChanges,
  decodeSet,
  encodeSet,
  type SetChange,
  setTtlSeconds,
} from './memcached-set.codec.js';

/** CAS attempts of one set update racing other processes. */
const MAX_CAS_ATTEMPTS = 8;

/** A positive lifetime in seconds, or `undefined` (no expiry) for none, 0 or less, as in `MemoryBackend`. */
const lifetime = (ttlSeconds?: number): number | undefined =>
  ttlSeconds !== undefined && ttlSeconds > 0 ? ttlSeconds : undefined;

/**
 * One namespace of `MemcachedBackend`. Its keys embed the namespace's
 * generation, so `clear()` is one write that orphans them all (they expire by
 * their own lifetime or are evicted). `add` is memcached's `add`;
 * `deleteIfEquals` and the sets use CAS, so they are atomic across processes;
 * set updates from this process are also batched per key (see `KeyedBatcher`).
 * Values are UTF-8 strings up to the server's item size limit.
 */
export class MemcachedKeyValueStore implements KeyValueStore {
  private readonly setUpdates = new KeyedBatcher<SetChange>((key, changes) =>
    this.updateSet(key, changes),
  );

  constructor(
    private readonly client: MemcachedClient,
    private readonly layout: MemcachedKeys,
    private readonly generations: GenerationStore,
    private readonly name: string,
  ) {}

  get(key: string): Promise<string | undefined> {
    return this.run('get', async () => {
      const stored = await this.client.get(await this.serverKey(key));
      return stored?.value.toString('utf8');
    });
  }

  set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    return this.run('set', async () => {
      const serverKey = await this.serverKey(key);
      this.check(await this.client.write('set', serverKey, value, lifetime(ttlSeconds)), key);
    });
  }

  add(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    return this.run('add', async () => {
      const serverKey = await this.serverKey(key);
      const result = await this.client.write('add', serverKey, value, lifetime(ttlSeconds));
      if (result === 'exists') return false;
      this.check(result, key);
      return true;
    });
  }

  replace(key: string, value: string, ttlSeconds?: number): Promise<boolean> {
    return this.run('replace', async () => {
      const serverKey = await this.serverKey(key);
      const result = await this.client.write('replace', serverKey, value, lifetime(ttlSeconds));
      if (result === 'not-found' || result === 'exists') return false;
      this.check(result, key);
      return true;
    });
  }

  delete(key: string): Promise<boolean> {
    return this.run('delete', async () => this.client.delete(await this.serverKey(key)));
  }

  deleteIfEquals(key: string, value: string): Promise<boolean> {
    return this.run('deleteIfEquals', async () => {
      const serverKey = await this.serverKey(key);
      const stored = await this.client.get(serverKey);
      if (stored?.value.toString('utf8') !== value) return false;
      // Deletes only the version read: a value replaced meanwhile is kept.
      return this.client.delete(serverKey, stored.cas);
    });
  }

  setAdd(key: string, member: string, ttlSeconds?: number): Promise<void> {
    return this.run('setAdd', () =>
      this.setUpdates.submit(key, { add: member, ttlSeconds: lifetime(ttlSeconds) }),
    );
  }

  setRemove(key: string, member: string): Promise<void> {
    return this.run('setRemove', () => this.setUpdates.submit(key, { remove: member }));
  }

  setMembers(key: string): Promise<string[]> {
    return this.run('setMembers', async () => {
      const stored = await this.client.get(await this.serverKey(key));
      return stored ? (decodeSet(stored.value.toString('utf8'))?.members ?? []) : [];
    });
  }

  /** Orphans every key of the namespace by bumping its generation; cannot count them: `-1`. */
  clear(): Promise<number> {
    return this.run('clear', async () => {
      await this.generations.bump([this.layout.namespaceGeneration(this.name)], false);
      return -1;
    });
  }

  /** Memcached cannot list keys: always rejects with `CacheXUnsupportedError`. */
  async clearPattern(_glob: string): Promise<number> {
    throw new CacheXUnsupportedError(
      'clearPattern',
      'MemcachedBackend',
      'memcached cannot list keys; use namespace().clear(), or RedisBackend or MemoryBackend for patterns',
    );
  }

  /** Reads, changes and writes back the set with CAS, again while another process wins the race. */
  private async updateSet(key: string, changes: SetChange[]): Promise<void> {
    const serverKey = await this.serverKey(key);
    for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
      const stored = await this.client.get(serverKey);
      const current = stored && decodeSet(stored.value.toString('utf8'));
      const next = applySetChanges(current, changes);
      let done: boolean;
      if (!next) done = !stored || (await this.client.delete(serverKey, stored.cas));
      else {
        const value = encodeSet(next);
        const result = stored
          ? await this.client.write('set', serverKey, value, setTtlSeconds(next), stored.cas)
          : await this.client.write('add', serverKey, value, setTtlSeconds(next));
        this.check(result, key);
        done = result === 'stored';
      }
      if (done) return;
    }
    throw new CacheXError(
      `MemcachedBackend: namespace "${this.name}": set "${key}" kept changing under concurrent updates`,
    );
  }

  /** The server key of `key` under the namespace's current generation. */
  private async serverKey(key: string): Promise<string> {
    const generationKey = this.layout.namespaceGeneration(this.name);
    const generation = (await this.generations.ensure([generationKey])).get(generationKey)!;
    return this.layout.namespaceData(this.name, generation.hard, key);
  }

  private check(result: string, key: string): void {
    if (result === 'too-large') {
      throw new CacheXError(
        `MemcachedBackend: namespace "${this.name}": the value of "${key}" exceeds memcached's item size limit`,
      );
    }
  }

  private run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    return this.client.run(`namespace(${JSON.stringify(this.name)}).${operation}`, work);
  }
}
