import { type KeyValueStore, LOCK_NAMESPACE } from '../backends/cache-backend.js';
import { MemoryBackend } from '../backends/memory.backend.js';
import { BackendCalls } from './backend-call.js';
import { BackendLock } from './backend-lock.js';
import { resolveModuleOptions } from './cache-module.options.js';

describe('BackendLock', () => {
  const calls = () => new BackendCalls(resolveModuleOptions({}));
  const store = () => new MemoryBackend().namespace(LOCK_NAMESPACE);

  it('is taken by one holder at a time, and released only by its token', async () => {
    const locks = new BackendLock(store(), calls(), 5_000);
    const token = await locks.take('fill:a');
    expect(typeof token).toBe('string');
    expect(await locks.take('fill:a')).toBeNull();
    await locks.release('fill:a', 'not-the-token');
    expect(await locks.take('fill:a')).toBeNull();
    await locks.release('fill:a', token!);
    expect(typeof (await locks.take('fill:a'))).toBe('string');
  });

  it('lives a second longer than the wait for it, in whole seconds', async () => {
    const ttls: number[] = [];
    const recording = store();
    const add = recording.add.bind(recording);
    recording.add = (name, value, ttlSeconds) => {
      ttls.push(ttlSeconds);
      return add(name, value, ttlSeconds);
    };
    for (const waitMs of [1, 1_000, 1_001, 5_000]) {
      await new BackendLock(recording, calls(), waitMs).take(`data:${waitMs}`);
    }
    expect(ttls).toEqual([2, 2, 3, 6]);
  });

  it('is never held without a namespace, and never rejects when the backend fails', async () => {
    expect(await new BackendLock(undefined, calls(), 5_000).take('x')).toBeUndefined();
    const failing = new Proxy({} as KeyValueStore, {
      get: () => () => Promise.reject(new Error('down')),
    });
    const locks = new BackendLock(failing, calls(), 5_000);
    expect(await locks.take('x')).toBeUndefined();
    await expect(locks.release('x', 'token')).resolves.toBeUndefined();
    // Whether it is held cannot be asked: the waiter reads once more and gives up waiting.
    await expect(locks.waitForHolder('x', async () => undefined)).resolves.toBeUndefined();
  });

  it("waits for the holder's value, and reads once more when the lock is gone", async () => {
    const locks = new BackendLock(store(), calls(), 5_000);
    const token = (await locks.take('data:k'))!;
    let value: string | undefined;
    setTimeout(() => (value = 'computed'), 60);
    await expect(locks.waitForHolder('data:k', async () => value)).resolves.toBe('computed');

    // The holder stores, then releases: the read after the release finds it.
    value = undefined;
    const token2 = (await locks.take('data:j'))!;
    const read = async () => value;
    setTimeout(() => {
      value = 'stored';
      void locks.release('data:j', token2);
    }, 60);
    await expect(locks.waitForHolder('data:j', read)).resolves.toBe('stored');
    await locks.release('data:k', token);
  });

  it('gives up after waitMs while the holder keeps the lock and stores nothing', async () => {
    const locks = new BackendLock(store(), calls(), 100);
    await locks.take('data:slow');
    const started = Date.now();
    await expect(locks.waitForHolder('data:slow', async () => undefined)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });
});
