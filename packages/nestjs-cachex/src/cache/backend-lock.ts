import { randomUUID } from 'node:crypto';
import { type KeyValueStore } from '../backends/cache-backend.js';
import { type BackendCalls } from './backend-call.js';

/** How often a waiter looks for what the lock's holder produces. */
const POLL_MS = 25;

/**
 * Locks in the backend, shared by every instance using it: what keeps one
 * fill of a response (`FillCoordinator`), one computation of a value
 * (`CacheManager.getOrSet`) and one refresh of a stale `@Cacheable` value
 * (`CachedValues`) running across a fleet. A lock expires on its own, so a
 * crashed holder blocks no one for long. Every call is bounded by
 * `BackendCalls` (timeout and breaker); a lock the backend cannot take or
 * answer for is no reason to wait, and no call here ever rejects.
 */
export class BackendLock {
  /** A lock outlives the longest wait for it, so a crashed holder is replaced soon after. */
  private readonly ttlSeconds: number;

  constructor(
    /** The backend's lock namespace; none when it has no namespaces (locks then never held). */
    private readonly store: KeyValueStore | undefined,
    private readonly calls: BackendCalls,
    /** How long a waiter waits for a holder, in ms (real time); locks live a second longer. */
    private readonly waitMs: number,
  ) {
    this.ttlSeconds = Math.ceil(waitMs / 1000) + 1;
  }

  /**
   * Takes lock `name`: the holder's token, `null` when another holder has
   * it, `undefined` when the backend could not be asked (then everyone
   * proceeds on their own).
   */
  async take(name: string): Promise<string | null | undefined> {
    const store = this.store;
    if (!store) return undefined;
    const token = randomUUID();
    try {
      const taken = await this.calls.bounded('lock', () => store.add(name, token, this.ttlSeconds));
      return taken ? token : null;
    } catch {
      return undefined;
    }
  }

  /** Releases lock `name` if `token` still holds it. */
  async release(name: string, token: string): Promise<void> {
    const store = this.store;
    if (!store) return;
    await this.calls
      .bounded('unlock', () => store.deleteIfEquals(name, token))
      .catch(() => undefined);
  }

  /**
   * Waits for what the holder of lock `name` produces: polls `read` until it
   * finds the value, or until the lock is gone — then reads once more, since
   * a holder stores before it releases — or until the wait (real time) has
   * passed. `undefined` means the caller should produce the value itself.
   */
  async waitForHolder<T>(name: string, read: () => Promise<T | undefined>): Promise<T | undefined> {
    const deadline = Date.now() + this.waitMs;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS).unref());
      const value = await read();
      if (value !== undefined) return value;
      if (!(await this.held(name))) return read();
    }
    return undefined;
  }

  /** Whether someone holds lock `name` (an unanswered question counts as no). */
  private held(name: string): Promise<boolean> {
    const store = this.store;
    if (!store) return Promise.resolve(false);
    return this.calls
      .bounded('lock', () => store.get(name))
      .then(
        (holder) => holder !== undefined,
        () => false,
      );
  }
}
