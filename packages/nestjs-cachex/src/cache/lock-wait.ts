const POLL_MS = 25;

/**
 * Waits for a value another instance is producing under a lock: polls `read`
 * until it finds the value, or until the lock is gone — then reads once more,
 * since an owner stores before it unlocks — or until `waitMs` has passed.
 * `undefined` means the caller should produce the value itself.
 */
export async function waitForLockHolder<T>(
  read: () => Promise<T | undefined>,
  lockHeld: () => Promise<boolean>,
  waitMs: number,
): Promise<T | undefined> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS).unref());
    const value = await read();
    if (value !== undefined) return value;
    if (!(await lockHeld())) return read();
  }
  return undefined;
}
