import { type RateLimitedLogger } from '../common/rate-limited-logger.js';
import { withTimeout } from '../common/with-timeout.js';

/** What `callBackend` resolves to when the backend erred or did not answer in time. */
export const BACKEND_FAILED = Symbol('backend failed');

/**
 * A backend call made while answering a request: bounded by `timeoutMs`,
 * its failure logged (rate-limited) and returned as `BACKEND_FAILED`, never
 * thrown, so a backend that is down or hangs never fails the request.
 */
export async function callBackend<T>(
  log: RateLimitedLogger,
  timeoutMs: number,
  operation: string,
  run: () => Promise<T>,
): Promise<T | typeof BACKEND_FAILED> {
  try {
    return await withTimeout(run(), timeoutMs, `CacheBackend.${operation}`);
  } catch (error) {
    log.error(operation, `CacheBackend.${operation} failed; answering without the cache`, error);
    return BACKEND_FAILED;
  }
}
