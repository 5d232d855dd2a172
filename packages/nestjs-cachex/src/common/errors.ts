/**
 * An error's message, or `undefined` when it has none. Read without
 * `instanceof Error`: errors from another realm (a socket, a VM context) fail
 * that test.
 */
export function errorMessage(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}

/**
 * Base class of every error nestjs-cachex throws on purpose. `code` is stable:
 * match on it rather than on the message.
 *
 * @example
 * if (err instanceof CacheXError && err.code === 'CACHEX_CONFIG') { ... }
 */
export class CacheXError extends Error {
  constructor(
    message: string,
    /** A stable, machine-readable code, e.g. `CACHEX_CONFIG`. */
    readonly code: string = 'CACHEX_ERROR',
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A configuration or programming mistake: bad module options, an invalid
 * `@Cache()` combination, a weak session secret. The message names the option
 * to change. Thrown at start-up or decoration time, never while serving.
 */
export class CacheXConfigError extends CacheXError {
  constructor(message: string) {
    super(message, 'CACHEX_CONFIG');
  }
}

/**
 * A backend was asked for an operation it cannot do (Memcached cannot list
 * keys, for instance). The message names the operation and a backend that can.
 */
export class CacheXUnsupportedError extends CacheXError {
  constructor(
    /** The operation that was refused, e.g. `clearPattern`. */
    readonly operation: string,
    /** The backend that refused it, e.g. `MemcachedBackend`. */
    readonly backend: string,
    hint: string,
  ) {
    super(`${backend} does not support ${operation}(): ${hint}`, 'CACHEX_UNSUPPORTED');
  }
}
