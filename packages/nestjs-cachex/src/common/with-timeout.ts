import { CacheXError } from './errors.js';

/** A backend call that did not settle within its bound. */
export class CacheXTimeoutError extends CacheXError {
  constructor(operation: string, timeoutMs: number) {
    super(`${operation} did not answer within ${timeoutMs} ms`, 'CACHEX_TIMEOUT');
  }
}

/**
 * Settles like `promise`, or rejects with `CacheXTimeoutError` after
 * `timeoutMs`. The timer is cleared on settle and never keeps the process alive.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  operation: string,
): Promise<T> {
  // One promise and one timer: this wraps every backend call on the hit path.
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CacheXTimeoutError(operation, timeoutMs)), timeoutMs);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
