import { CacheXError } from '../common/errors.js';
import { type CacheBusMessage, type CacheBusSubscriber, CacheBus } from './cache-bus.js';

/**
 * A `CacheBus` inside one process: `join()` gives the bus of another instance
 * on the same channel. For tests of several `TieredBackend`s in one process;
 * `disconnect()` and `reconnect()` play a lost connection.
 *
 * @example
 * const busA = new MemoryBus();
 * const a = new TieredBackend({ local: new MemoryBackend(), shared, bus: busA });
 * const b = new TieredBackend({ local: new MemoryBackend(), shared, bus: busA.join() });
 */
export class MemoryBus extends CacheBus {
  private readonly subscribers = new Set<CacheBusSubscriber>();
  private members = new Set<MemoryBus>([this]);
  private online = true;

  get connected(): boolean {
    return this.online;
  }

  /** Another instance's bus on this one's channel. */
  join(): MemoryBus {
    const other = new MemoryBus();
    other.members = this.members;
    this.members.add(other);
    return other;
  }

  async publish(message: CacheBusMessage): Promise<void> {
    if (!this.online) throw new CacheXError('MemoryBus.publish: the bus is disconnected');
    for (const member of this.members) {
      if (!member.online) continue;
      // Delivered after the publish returns, as a network bus would.
      for (const subscriber of member.subscribers)
        queueMicrotask(() => subscriber.message(message));
    }
  }

  subscribe(subscriber: CacheBusSubscriber): void {
    this.subscribers.add(subscriber);
  }

  /** Loses the connection: nothing is sent or received until `reconnect()`. */
  disconnect(): void {
    if (!this.online) return;
    this.online = false;
    for (const subscriber of this.subscribers) subscriber.disconnected();
  }

  /** Gets the connection back; what was published meanwhile stays lost. */
  reconnect(): void {
    if (this.online) return;
    this.online = true;
    for (const subscriber of this.subscribers) subscriber.connected();
  }

  async close(): Promise<void> {
    this.subscribers.clear();
    this.members.delete(this);
  }
}
