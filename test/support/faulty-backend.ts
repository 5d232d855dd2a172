/**
 * A backend that fails on demand (the test kit's one faulty backend): every
 * call — response entries and namespaces (locks, CacheManager, sessions) —
 * answers normally, throws, hangs, or answers late, as `mode` says now.
 * Counts the calls made while not `ok`.
 */
import { type CacheEntry, type KeyValueStore, MemoryBackend } from 'nestjs-cachex';

export type FaultMode = 'ok' | 'error' | 'hang' | 'slow';

export class FaultyBackend extends MemoryBackend {
  mode: FaultMode = 'ok';
  /** How late a `slow` call answers, in ms. */
  slowMs = 50;
  /** Calls made while failing (any mode but `ok`). */
  faultedCalls = 0;

  private fault<T>(call: () => Promise<T>): Promise<T> {
    if (this.mode === 'ok') return call();
    this.faultedCalls++;
    switch (this.mode) {
      case 'error':
        return Promise.reject(new Error('backend down (FaultyBackend)'));
      case 'hang':
        return new Promise<T>(() => {});
      case 'slow':
        return new Promise<T>((resolve, reject) =>
          setTimeout(() => call().then(resolve, reject), this.slowMs).unref(),
        );
    }
  }

  override get(key: string): Promise<CacheEntry | undefined> {
    return this.fault(() => super.get(key));
  }

  override set(key: string, entry: CacheEntry, ttlSeconds?: number): Promise<void> {
    return this.fault(() => super.set(key, entry, ttlSeconds));
  }

  override delete(key: string): Promise<boolean> {
    return this.fault(() => super.delete(key));
  }

  override namespace(prefix: string): KeyValueStore {
    const store = super.namespace(prefix);
    return new Proxy(store, {
      get: (target, name, receiver) => {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          this.fault(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      },
    });
  }
}
