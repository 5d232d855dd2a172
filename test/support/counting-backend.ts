/**
 * Counts the calls of one method of a backend (the test kit's one counter),
 * e.g. the reads a request makes: `countCalls(backend, 'get')`.
 */

/** A live call counter; `restore()` puts the method back. */
export interface CallCounter {
  /** Calls made since counting started (writable, to start over at 0). */
  count: number;
  /** Stops counting: the method is the one it was before. */
  restore(): void;
}

type MethodOf<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never;
}[keyof T];

/** Wraps `backend[method]` to count its calls; each call still reaches the original. */
export function countCalls<T extends object, M extends MethodOf<T>>(
  backend: T,
  method: M,
): CallCounter {
  const hadOwn = Object.prototype.hasOwnProperty.call(backend, method);
  const own = backend[method];
  const original = own as (...args: unknown[]) => unknown;
  const counter: CallCounter = {
    count: 0,
    restore: () => {
      if (hadOwn) backend[method] = own;
      else delete backend[method];
    },
  };
  backend[method] = function (this: unknown, ...args: unknown[]) {
    counter.count++;
    return original.apply(backend, args);
  } as T[M];
  return counter;
}
