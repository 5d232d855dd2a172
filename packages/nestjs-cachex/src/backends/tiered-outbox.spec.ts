import { CacheBus, type CacheBusMessage } from './cache-bus.js';
import { type CacheInvalidation } from './cache-invalidation.js';
import { TieredOutbox } from './tiered-outbox.js';

/** A bus that records what it sent, can be down, and can fail its sends while up. */
class RecordingBus extends CacheBus {
  online = true;
  failing = false;
  readonly sent: CacheInvalidation[] = [];

  get connected(): boolean {
    return this.online;
  }

  async publish(message: CacheBusMessage): Promise<void> {
    if (this.failing) throw new Error('publish failed');
    this.sent.push(message.invalidation);
  }

  subscribe(): void {}

  async close(): Promise<void> {}
}

const drop = (key: string): CacheInvalidation => ({ op: 'delete', key });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('TieredOutbox', () => {
  it('keeps what it could not send while the bus is down, and sends it on flush once back', async () => {
    const bus = new RecordingBus();
    const outbox = new TieredOutbox(bus, 'a');
    bus.online = false;
    await expect(outbox.send(drop('x'))).rejects.toThrow('disconnected');
    await expect(outbox.send(drop('y'))).rejects.toThrow('disconnected');
    await settle();
    expect(bus.sent).toEqual([]);
    bus.online = true;
    await outbox.flush();
    expect(bus.sent).toEqual(expect.arrayContaining([drop('x'), drop('y')]));
    expect(bus.sent).toHaveLength(2);
  });

  it('sends what a failed send kept with the next send while the bus is up', async () => {
    const bus = new RecordingBus();
    const outbox = new TieredOutbox(bus, 'a');
    bus.failing = true;
    await expect(outbox.send(drop('x'))).rejects.toThrow('publish failed');
    bus.failing = false;
    await outbox.send(drop('y'));
    await settle();
    expect(bus.sent).toEqual(expect.arrayContaining([drop('x'), drop('y')]));
    expect(bus.sent).toHaveLength(2);
  });

  it('turns what it keeps past the bound into one clear', async () => {
    const bus = new RecordingBus();
    const outbox = new TieredOutbox(bus, 'a');
    bus.online = false;
    for (let i = 0; i <= 1000; i++) await outbox.send(drop(`k${i}`)).catch(() => undefined);
    bus.online = true;
    await outbox.flush();
    expect(bus.sent).toEqual([{ op: 'clear' }]);
  });
});
