/**
 * Counts the calls of one method of a backend (the test kit's one counter),
 * e.g. the reads a request makes: `countCalls(backend, 'get')`, and keeps
 * their arguments (the keys a request wrote: `countCalls(backend, 'set').args`).
 */

type MethodOf<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never;
}[keyof T];

type ArgsOf<F> = F extends (...args: infer A) => unknown ? A : never;

/** A live call counter; `restore()` puts the method back. */
export interface CallCounter<Args extends unknown[] = unknown[]> {
  /** Calls made since counting started (writable, to start over at 0). */
  count: number;
  /** The arguments of every call since counting started, in order. */
  args: Args[];
  /** Stops counting: the method is the one it was before. */
  restore(): void;
}

/** Wraps `backend[method]` to count its calls; each call still reaches the original. */
export function countCalls<T extends object, M extends MethodOf<T>>(
  backend: T,
  method: M,
): CallCounter<ArgsOf<T[M]>> {
  const hadOwn = Object.prototype.hasOwnProperty.call(backend, method);
  const own = backend[method];
  const original = own as (...args: unknown[]) => unknown;
  const counter: CallCounter<ArgsOf<T[M]>> = {
    count: 0,
    args: [],
    restore: () => {
      if (hadOwn) backend[method] = own;
      else delete backend[method];
    },
  };
  backend[method] = function (this: unknown, ...args: unknown[]) {
    counter.count++;
    counter.args.push(args as ArgsOf<T[M]>);
    return original.apply(backend, args);
  } as T[M];
  return counter;
}
