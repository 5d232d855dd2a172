import { type KeyValueStore } from '../backends/cache-backend.js';
import { compileGlob } from '../backends/glob.js';
import { type RedisConnection } from './redis-connection.js';
import { escapeGlob, globLiteralPrefix } from './redis-key-layout.js';
import { DELETE_IF_EQUALS, SET_ADD } from './redis-lua.scripts.js';

/**
 * One namespace of `RedisBackend` (`CacheManager` data, sessions, locks):
 * plain Redis strings and sets under the namespace's own prefix, so the
 * response cache's `clear()` never reaches them. Lifetimes are whole seconds,
 * rounded up; without one a key does not expire.
 */
export class RedisKeyValueStore implements KeyValueStore {
  constructor(
    private readonly connection: RedisConnection,
    /** Prefix of every key of this namespace, `keyPrefix` included. */
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const value = await this.connection.call('get', (client) => client.get(this.prefix + key));
    return value ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    const seconds = wholeSeconds(ttlSeconds);
    await this.connection.call('set', (client) =>
      seconds === undefined
        ? client.set(this.prefix + key, value)
        : client.set(this.prefix + key, value, 'EX', seconds),
    );
  }

  async add(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const seconds = wholeSeconds(ttlSeconds);
    const stored = await this.connection.call('add', (client) =>
      seconds === undefined
        ? client.set(this.prefix + key, value, 'NX')
        : client.set(this.prefix + key, value, 'EX', seconds, 'NX'),
    );
    return stored === 'OK';
  }

  async replace(key: string, value: string, ttlSeconds?: number): Promise<boolean> {
    const seconds = wholeSeconds(ttlSeconds);
    const stored = await this.connection.call('replace', (client) =>
      seconds === undefined
        ? client.set(this.prefix + key, value, 'XX')
        : client.set(this.prefix + key, value, 'EX', seconds, 'XX'),
    );
    return stored === 'OK';
  }

  async delete(key: string): Promise<boolean> {
    return (await this.connection.unlink('delete', [this.prefix + key])) > 0;
  }

  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    const deleted = await this.connection.script(
      'deleteIfEquals',
      DELETE_IF_EQUALS,
      [this.prefix + key],
      [value],
    );
    return deleted === 1;
  }

  async setAdd(key: string, member: string, ttlSeconds?: number): Promise<void> {
    const seconds = wholeSeconds(ttlSeconds);
    await this.connection.script(
      'setAdd',
      SET_ADD,
      [this.prefix + key],
      [member, seconds === undefined ? '' : seconds * 1000],
    );
  }

  async setRemove(key: string, member: string): Promise<void> {
    await this.connection.call('setRemove', (client) => client.srem(this.prefix + key, member));
  }

  async setMembers(key: string): Promise<string[]> {
    return this.connection.call('setMembers', (client) => client.smembers(this.prefix + key));
  }

  async clear(): Promise<number> {
    return this.deleteMatching('clear', '', () => true);
  }

  async clearPattern(glob: string): Promise<number> {
    const pattern = compileGlob(glob);
    return this.deleteMatching('clearPattern', globLiteralPrefix(glob), (key) => pattern.test(key));
  }

  /**
   * SCANs the namespace's keys starting with `literalPrefix`, then lets
   * `matches` decide on each key (without the namespace prefix), so the glob
   * dialect is exactly that of `compileGlob`.
   */
  private async deleteMatching(
    operation: string,
    literalPrefix: string,
    matches: (key: string) => boolean,
  ): Promise<number> {
    const pattern = `${escapeGlob(this.prefix + literalPrefix)}*`;
    let removed = 0;
    for await (const keys of this.connection.scan(operation, pattern)) {
      const doomed = keys.filter((key) => matches(key.slice(this.prefix.length)));
      removed += await this.connection.unlink(operation, doomed);
    }
    return removed;
  }
}

/** Seconds for EX: rounded up; none (no expiry) when absent or not positive. */
function wholeSeconds(ttlSeconds: number | undefined): number | undefined {
  return ttlSeconds !== undefined && ttlSeconds > 0 ? Math.ceil(ttlSeconds) : undefined;
}
