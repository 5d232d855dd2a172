import { type CacheInvalidation } from './cache-invalidation.js';

/** What travels on a `CacheBus`: an invalidation and the id of the instance that made it. */
export interface CacheBusMessage {
  /** The publishing instance's id: every instance ignores its own messages. */
  origin: string;
  invalidation: CacheInvalidation;
}

/** What a `CacheBus` tells its subscriber. */
export interface CacheBusSubscriber {
  /** A message published by any instance, the receiving one included. */
  message(message: CacheBusMessage): void;
  /** The bus is connected again, or for the first time: messages sent meanwhile were lost. */
  connected(): void;
  /** The bus lost its connection: messages published from now on may never arrive. */
  disconnected(): void;
}

/**
 * How `TieredBackend` instances tell each other about invalidations: a
 * publish/subscribe channel that carries `CacheBusMessage`s (never a body)
 * and says when it is connected. `RedisBus` (in `nestjs-cachex/redis`) is one
 * on Redis pub/sub; `MemoryBus` one inside a process. Extend it to carry the
 * messages on something else (NATS, Postgres `LISTEN`).
 *
 * @example
 * class NatsBus extends CacheBus {
 *   get connected() { return this.nc.status === 'connected'; }
 *   async publish(message: CacheBusMessage) { this.nc.publish('cachex', JSON.stringify(message)); }
 *   subscribe(subscriber: CacheBusSubscriber) { ... }
 *   async close() { await this.nc.drain(); }
 * }
 */
export abstract class CacheBus {
  /** Whether messages published now reach the other instances and theirs reach this one. */
  abstract get connected(): boolean;
  /** Sends a message to every subscriber of every instance; rejects when it could not be sent. */
  abstract publish(message: CacheBusMessage): Promise<void>;
  /** Starts telling `subscriber` the messages and the connection changes. */
  abstract subscribe(subscriber: CacheBusSubscriber): void;
  /** Stops receiving and releases the connections the bus opened. */
  abstract close(): Promise<void>;
}
