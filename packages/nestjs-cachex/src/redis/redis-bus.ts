import { Cluster, Redis } from 'ioredis';
import { CacheBus, type CacheBusMessage, type CacheBusSubscriber } from '../backends/cache-bus.js';
import { RateLimitedLogger } from '../common/rate-limited-logger.js';
import { withTimeout } from '../common/with-timeout.js';
import { decodeBusMessage, encodeBusMessage } from './redis-bus.codec.js';
import { checkedCommandTimeout, createOwnedClient } from './redis-connection.js';
import { type RedisBusOptions } from './redis-bus.options.js';

const DEFAULT_CHANNEL = 'cachex:bus';
const DEFAULT_COMMAND_TIMEOUT_MS = 500;
/**
 * How often the subscription is pinged, in ms. A server that hangs (paused,
 * cut off without a reset) sends nothing, so without a ping the bus would
 * count as connected while invalidations are lost.
 */
const HEARTBEAT_MS = 1000;

type RedisClient = Redis | Cluster;

/**
 * The bus of `TieredBackend` on Redis pub/sub: invalidations are published on
 * one channel, and every instance's subscription, on a connection of its own,
 * receives them. It is connected once its subscription is in place, and
 * disconnected from the moment that connection closes until it is subscribed
 * again. Works on a standalone server, Sentinel and Redis Cluster.
 *
 * @example
 * new RedisBus({ host: 'redis' });
 * new RedisBus({ cluster: { nodes: [{ host: 'redis-1', port: 7000 }] } });
 * // publish through a client you own and close yourself
 * new RedisBus({ client: redis, channel: 'shop:cachex' });
 */
export class RedisBus extends CacheBus {
  private readonly publisher: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly ownsPublisher: boolean;
  private readonly channel: string;
  private readonly commandTimeoutMs: number;
  private readonly subscribers = new Set<CacheBusSubscriber>();
  private readonly logger = new RateLimitedLogger('RedisBus');
  private subscribed = false;
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly onError = (error: unknown) =>
    this.logger.error('connection', 'Redis bus connection error', error);

  constructor(options: RedisBusOptions = {}) {
    super();
    const { client, cluster, channel, commandTimeoutMs: _bound, ...redisOptions } = options;
    this.commandTimeoutMs = checkedCommandTimeout('RedisBus', options, DEFAULT_COMMAND_TIMEOUT_MS);
    this.channel = channel ?? DEFAULT_CHANNEL;
    this.ownsPublisher = client === undefined;
    // The subscription is duplicated from it: it may hear nothing for long, rightly.
    this.publisher =
      client ??
      createOwnedClient(redisOptions, cluster, this.commandTimeoutMs, { idleSocketTimeout: false });
    if (this.ownsPublisher) this.publisher.on('error', this.onError);
    // A subscribed connection takes no other command: the subscription has its own.
    this.subscriber = duplicateForSubscription(this.publisher);
    this.subscriber.on('error', this.onError);
    this.subscriber.on('ready', () => void this.resubscribe());
    this.subscriber.on('close', () => this.lost());
    this.subscriber.on('end', () => this.lost());
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.deliver(text);
    });
    this.heartbeat = setInterval(() => void this.ping(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get connected(): boolean {
    return this.subscribed;
  }

  async publish(message: CacheBusMessage): Promise<void> {
    await withTimeout(
      this.publisher.publish(this.channel, encodeBusMessage(message)),
      this.commandTimeoutMs,
      'RedisBus.publish',
    );
  }

  subscribe(subscriber: CacheBusSubscriber): void {
    this.subscribers.add(subscriber);
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.closed = true;
    this.subscribed = false;
    this.subscribers.clear();
    this.subscriber.removeAllListeners('ready');
    this.subscriber.disconnect();
    if (!this.ownsPublisher) return;
    try {
      await withTimeout(this.publisher.quit(), this.commandTimeoutMs, 'RedisBus.close');
    } catch {
      this.publisher.disconnect();
    }
  }

  /** Subscribes on a connection that is (again) ready; connected once Redis confirms. */
  private async resubscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      // The connection dropped meanwhile: it subscribes again when it is back.
      this.logger.error('subscribe', `RedisBus: subscribing to '${this.channel}' failed`, error);
      return;
    }
    if (this.closed || this.subscribed) return;
    this.subscribed = true;
    for (const subscriber of this.subscribers) subscriber.connected();
  }

  /** A subscription that does not answer within the bound is dropped and made again. */
  private async ping(): Promise<void> {
    if (!this.subscribed) return;
    try {
      await withTimeout(this.subscriber.ping(), this.commandTimeoutMs, 'RedisBus.ping');
    } catch (error) {
      if (!this.subscribed) return;
      this.logger.error('ping', 'RedisBus: the subscription did not answer; reconnecting', error);
      this.lost();
      this.subscriber.disconnect(true);
    }
  }

  private lost(): void {
    if (!this.subscribed) return;
    this.subscribed = false;
    for (const subscriber of this.subscribers) subscriber.disconnected();
  }

  private deliver(text: string): void {
    const message = decodeBusMessage(text);
    if (!message) {
      this.logger.error(
        'message',
        `RedisBus: ignored a message on '${this.channel}' that is not one of ours`,
      );
      return;
    }
    for (const subscriber of this.subscribers) subscriber.message(message);
  }
}

/**
 * The subscription's own connection, on the publisher's servers and options.
 * It subscribes itself on every `ready`, so ioredis's own resubscription is
 * off: the bus then knows when the subscription is back in place.
 */
function duplicateForSubscription(publisher: RedisClient): RedisClient {
  if (publisher instanceof Cluster) return publisher.duplicate([], { enableOfflineQueue: true });
  return publisher.duplicate({ autoResubscribe: false, enableOfflineQueue: true });
}
