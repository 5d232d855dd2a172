import { type Cluster, type Redis } from 'ioredis';

interface PendingRead {
  key: string;
  resolve(value: Buffer | null): void;
  reject(error: unknown): void;
}

/**
 * Sends the GETs asked for in one turn of the event loop together: one
 * pipeline, so one write and one round trip, for all the hits that arrived at
 * once, instead of one of each per hit. Redis still runs one GET per key. On
 * a Cluster the keys are grouped by their hash tag, since a pipeline must stay
 * within one slot; the backend's keys all carry one (`{h}`).
 */
export class RedisReadBatcher {
  private queue: PendingRead[] | undefined;

  constructor(private readonly client: Redis | Cluster) {}

  /** The value stored at `key` (a Redis key, prefix included), or `null`. */
  get(key: string): Promise<Buffer | null> {
    return new Promise((resolve, reject) => {
      if (!this.queue) {
        this.queue = [];
        setImmediate(() => this.flush());
      }
      this.queue.push({ key, resolve, reject });
    });
  }

  private flush(): void {
    const queue = this.queue ?? [];
    this.queue = undefined;
    for (const reads of this.client.isCluster ? groupBySlot(queue) : [queue]) {
      if (reads.length === 1) {
        const [read] = reads as [PendingRead];
        this.client.getBuffer(read.key).then(read.resolve, read.reject);
        continue;
      }
      const pipeline = this.client.pipeline();
      for (const read of reads) pipeline.getBuffer(read.key);
      pipeline.exec().then(
        (results) =>
          reads.forEach((read, i) => {
            const [error, value] = results?.[i] ?? [new Error('no reply in the pipeline')];
            if (error) read.reject(error);
            else read.resolve(value as Buffer | null);
          }),
        (error: unknown) => reads.forEach((read) => read.reject(error)),
      );
    }
  }
}

/** Reads grouped by the hash tag of their key (`{...}`), which fixes a key's Cluster slot. */
function groupBySlot(reads: PendingRead[]): PendingRead[][] {
  const groups = new Map<string, PendingRead[]>();
  for (const read of reads) {
    const open = read.key.indexOf('{');
    const close = read.key.indexOf('}', open + 1);
    const tag = open !== -1 && close > open + 1 ? read.key.slice(open + 1, close) : read.key;
    const group = groups.get(tag);
    if (group) group.push(read);
    else groups.set(tag, [read]);
  }
  return [...groups.values()];
}
