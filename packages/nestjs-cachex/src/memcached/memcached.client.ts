import memjs, { type Client, type Response } from 'memjs';
import { CacheXError } from '../common/errors.js';
import { type RateLimitedLogger } from '../common/rate-limited-logger.js';
import { withTimeout } from '../common/with-timeout.js';

/** A value read from memcached with its CAS token, for a later conditional write. */
export interface StoredValue {
  value: Buffer;
  cas: Buffer;
}

/** How a write ended: `exists` is a lost `add` or CAS race, `not-found` a CAS write on a vanished key. */
export type WriteResult = 'stored' | 'exists' | 'not-found' | 'too-large';

/** Binary-protocol opcodes and statuses used here (memcached `protocol_binary.h`). */
const OPCODE = { get: 0x00, set: 0x01, add: 0x02, replace: 0x03, delete: 0x04 } as const;
const STATUS = { ok: 0x00, notFound: 0x01, exists: 0x02, tooLarge: 0x03, notStored: 0x05 };

/** Lifetimes above 30 days are read by memcached as an absolute Unix time. */
const MAX_RELATIVE_EXPIRY_SECONDS = 30 * 24 * 3600;

const EMPTY = Buffer.alloc(0);

/**
 * The expiration field memcached expects for a lifetime in seconds: `0` (never)
 * for none, an absolute Unix time beyond 30 days, else whole seconds rounded up
 * plus one. Memcached's clock ticks once a second, so an item set just before
 * a tick would lose up to a second (a lifetime of 1 could end at once): with
 * the extra second an item lives at least its lifetime and at most a second more.
 */
export function memcachedExpiry(ttlSeconds: number | undefined, nowMs = Date.now()): number {
  if (ttlSeconds === undefined || !(ttlSeconds > 0)) return 0;
  const seconds = Math.ceil(ttlSeconds) + 1;
  return seconds <= MAX_RELATIVE_EXPIRY_SECONDS ? seconds : Math.ceil(nowMs / 1000) + seconds;
}

/**
 * The one place that talks to memcached. Commands go through memjs's
 * `perform()` with hand-built binary requests, because memjs's own methods
 * expose neither CAS (needed for `deleteIfEquals`, sets and soft purges) nor a
 * "too large" result distinct from other errors, and they log every failure
 * to the console. Every public backend call runs through `run()`: refused
 * after `close()`, bounded by `timeoutMs`, and awaited by `close()`.
 */
export class MemcachedClient {
  private readonly inflight = new Set<Promise<unknown>>();
  private closing?: Promise<void>;

  constructor(
    private readonly client: Client,
    /** Whether this backend created the client (and so closes it). */
    private readonly owned: boolean,
    private readonly timeoutMs: number,
    private readonly logger: RateLimitedLogger,
  ) {}

  /**
   * Runs one backend operation: rejects once closed, rejects with
   * `CacheXTimeoutError` after `timeoutMs`, logs failures at a limited rate.
   */
  run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.closing) {
      return Promise.reject(
        new CacheXError(`MemcachedBackend: ${operation}() called after close()`, 'CACHEX_CLOSED'),
      );
    }
    const promise = withTimeout(started(work), this.timeoutMs, `MemcachedBackend ${operation}()`);
    this.inflight.add(promise);
    const settle = (error?: unknown): void => {
      this.inflight.delete(promise);
      if (error !== undefined) {
        this.logger.error('failure', `MemcachedBackend: ${operation}() failed`, error);
      }
    };
    promise.then(() => settle(), settle);
    return promise;
  }

  /** The value at `key` and its CAS token, or `undefined`. */
  async get(key: string): Promise<StoredValue | undefined> {
    const response = await this.perform(OPCODE.get, key, EMPTY, EMPTY);
    const { status } = response.header;
    if (status === STATUS.notFound) return undefined;
    if (status !== STATUS.ok) throw failure('get', response);
    return { value: response.val, cas: Buffer.from(response.header.cas) };
  }

  /**
   * `set` (or, with `cas`, a compare-and-set), `add` (only if absent) or
   * `replace` (only if present) of `value` for `ttlSeconds` (none: no expiry).
   */
  async write(
    mode: 'set' | 'add' | 'replace',
    key: string,
    value: Buffer | string,
    ttlSeconds?: number,
    cas?: Buffer,
  ): Promise<WriteResult> {
    const extras = Buffer.alloc(8); // 4 bytes of flags (unused), 4 of expiration
    extras.writeUInt32BE(memcachedExpiry(ttlSeconds), 4);
    const response = await this.perform(OPCODE[mode], key, extras, value, cas);
    switch (response.header.status) {
      case STATUS.ok:
        return 'stored';
      case STATUS.exists:
      case STATUS.notStored:
        return 'exists';
      case STATUS.notFound:
        return 'not-found';
      case STATUS.tooLarge:
        return 'too-large';
      default:
        throw failure(mode, response);
    }
  }

  /** Deletes `key` (with `cas`: only while it still holds that version); `true` when it did. */
  async delete(key: string, cas?: Buffer): Promise<boolean> {
    const response = await this.perform(OPCODE.delete, key, EMPTY, EMPTY, cas);
    const { status } = response.header;
    if (status === STATUS.ok) return true;
    if (status === STATUS.notFound || status === STATUS.exists) return false;
    throw failure('delete', response);
  }

  /**
   * Stops taking calls, waits for those in flight (each bounded), then ends the
   * connections of a client this backend created. memjs's own `close()` only
   * half-closes its sockets, which a paused server never completes (the process
   * would not exit); `Server#error()` destroys them.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.inflight]);
      if (!this.owned) return;
      for (const server of this.client.servers) {
        server.error(new Error('MemcachedBackend closed'));
      }
    })();
    return this.closing;
  }

  private perform(
    opcode: number,
    key: string,
    extras: Buffer,
    value: Buffer | string,
    cas?: Buffer,
  ): Promise<Response> {
    if (this.closing) {
      return Promise.reject(new CacheXError('MemcachedBackend: closed', 'CACHEX_CLOSED'));
    }
    return new Promise((resolve, reject) => {
      this.client.incrSeq();
      const seq = this.client.seq;
      const request = memjs.Utils.makeRequestBuffer(opcode, key, extras, value, seq);
      cas?.copy(request, 16); // the header's CAS field
      this.client.perform(
        key,
        request,
        seq,
        (error: Error | string | null, response?: Response) => {
          if (error || !response) reject(error instanceof Error ? error : new Error(String(error)));
          else resolve(response);
        },
      );
    });
  }
}

/** Starts `work` now (its requests go out before a `close()` that follows), a throw as a rejection. */
function started<T>(work: () => Promise<T>): Promise<T> {
  try {
    return work();
  } catch (error) {
    return Promise.reject(error);
  }
}

function failure(command: string, response: Response): Error {
  const detail = response.val.length > 0 ? response.val.toString('utf8') : 'no detail';
  return new Error(
    `memcached ${command} failed with status 0x${response.header.status.toString(16)} (${detail})`,
  );
}
