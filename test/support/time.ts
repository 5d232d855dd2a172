/**
 * Time in tests (the test kit's one copy): wait a while, or wait until an
 * assertion passes.
 */

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

export interface EventuallyOptions {
  /** How long to keep trying, in ms (5000 by default). */
  timeoutMs?: number;
  /** The pause between two tries, in ms (20 by default). */
  intervalMs?: number;
}

/**
 * Runs `assertion` until it passes (returns without throwing), and resolves
 * with what it returned. A try that throws is retried after `intervalMs`,
 * until `timeoutMs` have passed: then the last error is rethrown, so a test
 * fails with the assertion's own message.
 */
export async function eventually<T>(
  assertion: () => T | Promise<T>,
  { timeoutMs = 5000, intervalMs = 20 }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(intervalMs);
    }
  }
}
