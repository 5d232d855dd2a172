import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';

/**
 * Options of `RedisBus`. Give one of three things: an ioredis `client` (a
 * `Redis` or a `Cluster`) that you own and close, which the bus publishes
 * through and duplicates for its subscription; a `cluster` to connect to; or
 * ioredis `RedisOptions`. The bus closes only the connections it created.
 */
export interface RedisBusOptions extends RedisOptions {
  /** An ioredis client to publish through; left open by `close()`. */
  client?: Redis | Cluster;
  /** Connect to a Redis Cluster through these seed nodes. */
  cluster?: { nodes: ClusterNode[]; options?: ClusterOptions };
  /**
   * The pub/sub channel (default `'cachex:bus'`). Apps that share a Redis
   * but not their caches (different `keyPrefix`es) need different channels.
   */
  channel?: string;
  /** Bound of a publish in milliseconds (default 500). */
  commandTimeoutMs?: number;
}
