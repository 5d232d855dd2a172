interface Pending<Change> {
  change: Change;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Runs changes to one key one batch at a time: changes submitted while a
 * batch runs are applied together by the next one. Fifty concurrent
 * `setAdd`s to one key thus cost two read-modify-write cycles instead of
 * fifty racing ones (the CAS in `apply` still guards against other
 * processes). Holds nothing for a key once its changes are applied.
 */
export class KeyedBatcher<Change> {
  private readonly pending = new Map<string, Pending<Change>[]>();
  private readonly running = new Set<string>();

  constructor(private readonly apply: (key: string, changes: Change[]) => Promise<void>) {}

  /** Resolves once `change` has been applied (with the others of its batch), or rejects with its batch. */
  submit(key: string, change: Change): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queue = this.pending.get(key);
      if (queue) queue.push({ change, resolve, reject });
      else this.pending.set(key, [{ change, resolve, reject }]);
      if (!this.running.has(key)) void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    this.running.add(key);
    try {
      for (let batch = this.pending.get(key); batch; batch = this.pending.get(key)) {
        this.pending.delete(key);
        try {
          await this.apply(
            key,
            batch.map((p) => p.change),
          );
          for (const p of batch) p.resolve();
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.running.delete(key);
    }
  }
}
