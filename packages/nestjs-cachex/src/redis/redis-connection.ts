import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { CacheXConfigError, CacheXError, errorMessage } from '../common/errors.js';
import { RateLimitedLogger } from '../common/rate-limited-logger.js';
import { withTimeout } from '../common/with-timeout.js';
import { type RedisBackendOptions } from './redis-backend.options.js';
import { redisHashTag } from './redis-key-layout.js';
import { type LuaScript } from './redis-lua.scripts.js';

/** Keys asked per SCAN call, and most keys or members sent in one command. */
const BATCH_SIZE = 1000;
const DEFAULT_COMMAND_TIMEOUT_MS = 500;
const MAX_RECONNECT_DELAY_MS = 2000;
/** Events that end a connection attempt: a waiting command may then be tried. */
const SETTLING_EVENTS = ['ready', 'close', 'end'] as const;

type RedisClient = Redis | Cluster;

/**
 * One ioredis client (a `Redis`, Sentinel-backed or not, or a `Cluster`) with
 * the failure rules of the backend: every call bounded by `commandTimeoutMs`,
 * no offline queue on the clients it creates (a dead server fails calls at
 * once instead of piling them up), reconnection with a capped backoff, and
 * connection errors logged at a limited rate instead of thrown as events.
 * Closes the client only when it created it.
 */
export class RedisConnection {
  readonly client: RedisClient;
  readonly isCluster: boolean;
  readonly commandTimeoutMs: number;
  private readonly owned: boolean;
  private readonly logger = new RateLimitedLogger('RedisBackend');
  private readonly onError = (error: unknown) =>
    this.logger.error('connection', `Redis connection error: ${messageOf(error)}`);
  /** Settles the pending `whenConnected()` when a connection attempt ends, either way. */
  private readonly onSettled = () => {
    this.connecting?.resolve();
    this.connecting = undefined;
  };
  private connecting?: { promise: Promise<void>; resolve: () => void };

  constructor(options: RedisBackendOptions) {
    // `keyPrefix` is the backend's: ioredis's own would break the SCAN patterns.
    const {
      client,
      cluster,
      commandTimeoutMs: _bound,
      keyPrefix: _prefix,
      ...ioredisOptions
    } = options;
    this.commandTimeoutMs = checkedCommandTimeout(
      'RedisBackend',
      options,
      DEFAULT_COMMAND_TIMEOUT_MS,
    );
    this.owned = client === undefined;
    this.client = client ?? createOwnedClient(ioredisOptions, cluster, this.commandTimeoutMs);
    this.isCluster = this.client.isCluster;
    const ioredisPrefix = this.client.options.keyPrefix;
    if (ioredisPrefix) {
      if (this.owned) this.client.disconnect();
      throw new CacheXConfigError(
        `RedisBackend: remove the ioredis \`keyPrefix\` ('${ioredisPrefix}') from the client options and pass \`keyPrefix\` to RedisBackend instead`,
      );
    }
    this.client.on('error', this.onError);
    for (const event of SETTLING_EVENTS) this.client.on(event, this.onSettled);
  }

  /** Runs one command (or several sent at once) on the client, within the bound. */
  call<T>(operation: string, command: (client: RedisClient) => Promise<T>): Promise<T> {
    let expired = false;
    const run = this.whenConnected().then(() => {
      if (expired) throw new CacheXError(`RedisBackend.${operation} gave up`, 'CACHEX_TIMEOUT');
      return command(this.client);
    });
    return withTimeout(run, this.commandTimeoutMs, `RedisBackend.${operation}`).catch((error) => {
      expired = true;
      throw error;
    });
  }

  /**
   * Runs one command, within the bound. On a ready client this backend made,
   * ioredis's own `commandTimeout` is that bound, so no second timer is set:
   * the hit path's command costs one timer, not two.
   */
  single<T>(operation: string, command: (client: RedisClient) => Promise<T>): Promise<T> {
    if (this.owned && this.client.status === 'ready') return command(this.client);
    return this.call(operation, command);
  }

  /** Runs a Lua script; every key in `keys` must be in one Cluster slot. */
  script(
    operation: string,
    script: LuaScript,
    keys: string[],
    args: Array<string | number> = [],
  ): Promise<unknown> {
    return this.call(operation, async (client) => {
      try {
        return await client.evalsha(script.sha1, keys.length, ...keys, ...args);
      } catch (error) {
        if (!messageOf(error).startsWith('NOSCRIPT')) throw error;
        return await client.eval(script.source, keys.length, ...keys, ...args);
      }
    });
  }

  /**
   * Splits keys into groups that one multi-key command may take: all keys on
   * a single server, keys sharing a hash tag on a Cluster; at most `BATCH_SIZE` each.
   */
  slotGroups(keys: string[]): string[][] {
    const groups = new Map<string, string[]>();
    for (const key of keys) {
      const group = this.isCluster ? redisHashTag(key) : '';
      const members = groups.get(group);
      if (members) members.push(key);
      else groups.set(group, [key]);
    }
    return [...groups.values()].flatMap((group) => chunk(group, BATCH_SIZE));
  }

  /** Deletes the keys (UNLINK, in slot-safe groups); how many existed. */
  async unlink(operation: string, keys: string[]): Promise<number> {
    const counts = await Promise.all(
      this.slotGroups(keys).map((group) =>
        this.call(operation, (client) => client.unlink(...group)),
      ),
    );
    return counts.reduce((total, count) => total + count, 0);
  }

  /** Removes members from a sorted set, `BATCH_SIZE` per command. */
  async removeMembers(operation: string, key: string, members: string[]): Promise<void> {
    await Promise.all(
      chunk(members, BATCH_SIZE).map((batch) =>
        this.call(operation, (client) => client.zrem(key, ...batch)),
      ),
    );
  }

  /**
   * Walks every key matching a `MATCH` pattern, in batches, on every master of
   * a Cluster. Never KEYS. A key may come twice, as SCAN allows.
   */
  async *scan(operation: string, pattern: string): AsyncGenerator<string[]> {
    for (const node of await this.masters(operation)) {
      let cursor = '0';
      do {
        const [next, keys] = await withTimeout(
          node.scan(cursor, 'MATCH', pattern, 'COUNT', BATCH_SIZE),
          this.commandTimeoutMs,
          `RedisBackend.${operation}`,
        );
        cursor = next;
        if (keys.length > 0) yield keys;
      } while (cursor !== '0');
    }
  }

  /** Closes the client if it was created here; a given client is left as it was. */
  async close(): Promise<void> {
    for (const event of SETTLING_EVENTS) this.client.off(event, this.onSettled);
    this.onSettled();
    if (!this.owned) {
      this.client.off('error', this.onError);
      return;
    }
    if (this.client.status === 'end') return;
    const ended = new Promise<void>((resolve) => this.client.once('end', () => resolve()));
    try {
      await withTimeout(this.client.quit(), this.commandTimeoutMs, 'RedisBackend.close');
    } catch {
      this.client.disconnect();
    }
    await withTimeout(ended, this.commandTimeoutMs, 'RedisBackend.close').catch(() => {
      this.client.disconnect();
    });
  }

  /** The servers to SCAN: the one server, or every master of the Cluster. */
  private async masters(operation: string): Promise<Redis[]> {
    await withTimeout(this.whenConnected(), this.commandTimeoutMs, `RedisBackend.${operation}`);
    if (!this.isCluster) return [this.client as Redis];
    const masters = (this.client as Cluster).nodes('master');
    if (masters.length === 0) {
      throw new CacheXError(`RedisBackend.${operation}: no Redis Cluster master is known yet`);
    }
    return masters;
  }

  /**
   * Resolves at once, or, while a connection is being made, when it is ready
   * or has failed. A client that is down is not waited for: with no offline
   * queue its commands fail at once.
   */
  private whenConnected(): Promise<void> {
    const status = this.client.status;
    if (status !== 'connecting' && status !== 'connect') return Promise.resolve();
    if (!this.connecting) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      this.connecting = { promise, resolve };
    }
    return this.connecting.promise;
  }
}

/**
 * The command bound of a Redis client's owner (`RedisBackend`, `RedisBus`),
 * checked with the other connection options it is given: a positive number
 * of ms, and `client` or `cluster`, not both.
 */
export function checkedCommandTimeout(
  owner: string,
  options: { client?: unknown; cluster?: unknown; commandTimeoutMs?: number },
  defaultMs: number,
): number {
  const commandTimeoutMs = options.commandTimeoutMs ?? defaultMs;
  if (!(commandTimeoutMs > 0)) {
    throw new CacheXConfigError(
      `${owner}: \`commandTimeoutMs\` must be a positive number of milliseconds, got ${options.commandTimeoutMs}`,
    );
  }
  if (options.client && options.cluster) {
    throw new CacheXConfigError(`${owner}: give either \`client\` or \`cluster\`, not both`);
  }
  return commandTimeoutMs;
}

/**
 * A client its owner makes and closes: bounded commands, no offline queue,
 * capped reconnect backoff, commands of one event-loop turn in one write.
 * `idleSocketTimeout: false` for a connection that may rightly hear nothing
 * for long (a pub/sub subscription); otherwise a server that takes commands
 * but never answers (hung, paused) gets its socket dropped, so unanswered
 * commands do not accumulate on it.
 */
export function createOwnedClient(
  redisOptions: RedisOptions,
  cluster: { nodes: ClusterNode[]; options?: ClusterOptions } | undefined,
  commandTimeoutMs: number,
  { idleSocketTimeout = true }: { idleSocketTimeout?: boolean } = {},
): RedisClient {
  const connection = {
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(commandTimeoutMs, 2000),
    ...(idleSocketTimeout && { socketTimeout: Math.max(commandTimeoutMs * 4, 2000) }),
    // A command that timed out is not sent again after a reconnection.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
  };
  const reconnectDelayMs = (attempt: number) => Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS);
  if (cluster) {
    return new Cluster(cluster.nodes, {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      clusterRetryStrategy: reconnectDelayMs,
      ...cluster.options,
      redisOptions: { ...connection, ...cluster.options?.redisOptions },
    });
  }
  return new Redis({
    ...connection,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    retryStrategy: reconnectDelayMs,
    ...redisOptions,
  });
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** An error's message, else the error as a string. */
function messageOf(error: unknown): string {
  return errorMessage(error) ?? String(error);
}
