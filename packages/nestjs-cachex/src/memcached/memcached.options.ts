import { type Client, type ClientOptions, type ServerOptions } from 'memjs';
import { type CacheBackendOptions } from '../backends/cache-backend.js';
import { CacheXConfigError } from '../common/errors.js';

/**
 * Options of `MemcachedBackend`. Pass `servers` (the backend creates, owns and
 * closes a memjs client) or `client` (yours: used as is, never closed by the
 * backend). The remaining memjs options (`retries`, `failover`, `username`,
 * `password`, `keepAlive`, …) are passed to the client the backend creates.
 */
export interface MemcachedBackendOptions
  extends
    CacheBackendOptions,
    Omit<ClientOptions, 'serializer' | 'expires'>,
    Omit<ServerOptions, 'timeout'> {
  /**
   * The memcached servers, `host:port` or `user:pass@host:port`. Keys are
   * spread over them by memjs (hash of the key modulo the number of servers).
   */
  servers?: string[];
  /**
   * An existing memjs client to use instead of `servers`; `close()` leaves it
   * open. It is used as it is: its own timeout, retries and socket handling
   * apply (the client created from `servers` fails faster and leaks no socket
   * while a server hangs).
   */
  client?: Client;
  /**
   * The bound on every backend call, in ms (default 500). A call that takes
   * longer rejects with `CacheXTimeoutError`; the client the backend creates
   * also uses it as memjs's per-request `timeout`.
   */
  timeoutMs?: number;
  /**
   * The server's item size limit in bytes (memcached `-I`, default 1 MiB).
   * A response whose stored form is larger is not cached (logged, at a limited
   * rate); the request is still answered.
   */
  maxValueBytes?: number;
  /**
   * How long this process trusts the generation numbers it read, in ms
   * (default 1000; 0 reads them on every call). `clear()`, `clearPath()`,
   * `invalidateTags()` and `namespace().clear()` made in this process are seen
   * at once; made by another process, they are seen within this window. A
   * larger window saves requests on every hit.
   */
  generationCacheMs?: number;
}

/** `MemcachedBackendOptions` checked and completed with their defaults. */
export interface ResolvedMemcachedOptions {
  keyPrefix: string;
  timeoutMs: number;
  maxValueBytes: number;
  generationCacheMs: number;
}

/** The backend's own options; the others are memjs's. */
const OWN_OPTIONS = new Set([
  'servers',
  'client',
  'keyPrefix',
  'timeoutMs',
  'maxValueBytes',
  'generationCacheMs',
]);

/** The options meant for the memjs client the backend creates (all but its own). */
export function memjsOptions(options: MemcachedBackendOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([name]) => !OWN_OPTIONS.has(name)));
}

/** Longest `keyPrefix` accepted: room is left for the kind of key and a 43-character hash. */
export const MAX_KEY_PREFIX_BYTES = 180;

/** Checks the options and fills in the defaults; a bad value throws `CacheXConfigError`. */
export function resolveMemcachedOptions(
  options: MemcachedBackendOptions,
): ResolvedMemcachedOptions {
  if (!options.client && !options.servers?.length) {
    throw new CacheXConfigError(
      'MemcachedBackend: pass `servers` (e.g. ["127.0.0.1:11211"]) or an existing memjs `client`',
    );
  }
  for (const server of options.servers ?? []) {
    if (typeof server !== 'string' || server.trim() === '' || server.includes(',')) {
      throw new CacheXConfigError(
        `MemcachedBackend: each of \`servers\` must be one "host:port", got ${JSON.stringify(server)}`,
      );
    }
  }
  const keyPrefix = options.keyPrefix ?? 'cachex:';
  if (!/^[\x21-\x7e]*$/.test(keyPrefix) || keyPrefix.length > MAX_KEY_PREFIX_BYTES) {
    throw new CacheXConfigError(
      `MemcachedBackend: \`keyPrefix\` must be at most ${MAX_KEY_PREFIX_BYTES} printable ASCII characters without spaces, got ${JSON.stringify(keyPrefix)}`,
    );
  }
  return {
    keyPrefix,
    timeoutMs: positiveInteger(options.timeoutMs ?? 500, 'timeoutMs'),
    maxValueBytes: positiveInteger(options.maxValueBytes ?? 1024 * 1024, 'maxValueBytes'),
    generationCacheMs: nonNegativeInteger(options.generationCacheMs ?? 1000, 'generationCacheMs'),
  };
}

function positiveInteger(value: number, option: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new CacheXConfigError(
      `MemcachedBackend: \`${option}\` must be a positive integer, got ${value}`,
    );
  }
  return value;
}

function nonNegativeInteger(value: number, option: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new CacheXConfigError(
      `MemcachedBackend: \`${option}\` must be an integer of 0 or more, got ${value}`,
    );
  }
  return value;
}
