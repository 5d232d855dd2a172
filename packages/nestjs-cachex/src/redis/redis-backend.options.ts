import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { type CacheBackendOptions } from '../backends/cache-backend.js';

/**
 * Options of `RedisBackend`. Give one of three things: an ioredis `client`
 * (a `Redis` or a `Cluster`) that you own and close; a `cluster` to connect
 * to; or ioredis `RedisOptions` (host, port, password, tls, or `sentinels` +
 * `name` for Sentinel). The backend closes only the clients it created.
 *
 * ioredis's own `keyPrefix` is not used: the backend prefixes its keys itself
 * with `keyPrefix` (default `'cachex:'`), which keeps its SCAN patterns exact.
 */
export interface RedisBackendOptions extends CacheBackendOptions, RedisOptions {
  /**
   * An ioredis client to use instead of connecting: left open by `close()`.
   * Every command is still bounded by `commandTimeoutMs`. It must not have an
   * ioredis `keyPrefix` of its own.
   */
  client?: Redis | Cluster;
  /** Connect to a Redis Cluster through these seed nodes (the backend owns the client). */
  cluster?: { nodes: ClusterNode[]; options?: ClusterOptions };
  /**
   * Bound of every Redis command in milliseconds (default 500): past it the call
   * rejects and the interceptor answers from the handler.
   */
  commandTimeoutMs?: number;
}
