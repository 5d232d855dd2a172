import { BadRequestException, Inject, Injectable, NotImplementedException } from '@nestjs/common';
import { CacheBackend } from '../backends/cache-backend.js';
import { entryState } from '../backends/cache-entry.js';
import { compileGlob } from '../backends/glob.js';
import { TieredBackend } from '../backends/tiered.backend.js';
import { BackendCalls } from '../cache/backend-call.js';
import { RESOLVED_CACHEX_OPTIONS } from '../cache/cache.constants.js';
import { type ResolvedCacheXOptions } from '../cache/cache-module.options.js';
import { Clock } from '../common/clock.js';
import { CacheXUnsupportedError } from '../common/errors.js';
import { withTimeout } from '../common/with-timeout.js';
import { keyLocation } from '../http/cache-key.js';
import { CacheXMetrics, type CacheXMetricsSnapshot } from '../metrics/cachex-metrics.service.js';

/** The most keys one page of the listing holds. */
export const MAX_PAGE = 500;

/** What the admin API says of the cache as a whole. */
export interface AdminStats extends CacheXMetricsSnapshot {
  /** Whether backend calls are being skipped now (the breaker is open). */
  breakerOpen: boolean;
  /** On a `TieredBackend`, whether its bus is connected (`TieredBackend.busConnected`). */
  busConnected?: boolean;
}

/** One page of keys: `next` is the cursor of the following page, absent on the last. */
export interface AdminKeyPage {
  keys: string[];
  next?: string;
}

/** One entry as the admin API shows it (never its body). */
export interface AdminEntry {
  key: string;
  status: number;
  headers: Record<string, string>;
  bytes: number;
  /** The sizes of its compressed variants by coding (module option `compression`), when it has any. */
  encodedBytes?: Record<string, number>;
  ageSeconds: number;
  state: 'fresh' | 'stale' | 'stale-if-error' | 'expired';
  tags: string[];
  path?: string;
  query?: string;
  invalidated: boolean;
}

/** What to purge: a path, a glob of paths, or tags; `soft` marks stale instead of deleting. */
export interface AdminPurge {
  path?: string;
  glob?: string;
  tags?: string[];
  soft?: boolean;
}

/**
 * What `CacheXAdminModule` does with the backend: its counts, a paged listing
 * of keys, one entry, purges. Each backend call is bounded by
 * `backendTimeoutMs`, so a backend that hangs never hangs the page.
 */
@Injectable()
export class CacheXAdminService {
  constructor(
    @Inject(CacheBackend) private readonly backend: CacheBackend,
    @Inject(RESOLVED_CACHEX_OPTIONS) private readonly options: ResolvedCacheXOptions,
    private readonly metrics: CacheXMetrics,
    private readonly calls: BackendCalls,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async stats(): Promise<AdminStats> {
    return {
      ...(await this.metrics.snapshot()),
      breakerOpen: this.calls.breakerOpen,
      ...(this.backend instanceof TieredBackend && { busConnected: this.backend.busConnected }),
    };
  }

  /**
   * Up to `limit` keys whose path matches `glob` (all by default), from
   * `cursor` on: the listing stops reading the backend once the page is
   * full, so no page scans the whole cache. Cursors count keys in the
   * backend's order, which writes may shift.
   */
  async keys(glob = '*', cursor = '0', limit = 50): Promise<AdminKeyPage> {
    const skip = Number(cursor);
    if (!Number.isSafeInteger(skip) || skip < 0) throw new BadRequestException('bad cursor');
    const size = Math.min(Math.max(1, Math.floor(limit) || 50), MAX_PAGE);
    const pattern = compileGlob(glob);
    const keys: string[] = [];
    let seen = 0;
    const listing = await this.bounded('keys', () => Promise.resolve(this.backend.keys()));
    for await (const key of listing) {
      if (!pattern.test(keyLocation(key)?.path ?? key)) continue;
      if (seen++ < skip) continue;
      if (keys.length === size) return { keys, next: String(skip + size) };
      keys.push(key);
    }
    return { keys };
  }

  /** The entry stored under `key` (status, headers, size, age, tags), or `undefined`. */
  async entry(key: string): Promise<AdminEntry | undefined> {
    const entry = await this.bounded('get', () => this.backend.get(key));
    if (!entry || entry.varyOn) return undefined;
    const now = this.clock.now();
    const state = entryState(entry, now).kind;
    return {
      key,
      status: entry.status,
      headers: entry.headers,
      bytes: entry.body.length,
      ...(entry.encoded && { encodedBytes: variantSizes(entry.encoded) }),
      ageSeconds: Math.max(0, Math.floor((now - entry.storedAt) / 1000)),
      state: state === 'miss' ? 'expired' : state,
      tags: entry.tags ?? [],
      ...(entry.path !== undefined && { path: entry.path }),
      ...(entry.query !== undefined && { query: entry.query }),
      invalidated: entry.invalidated === true,
    };
  }

  /** Purges by path, glob or tags (exactly one); the count, or -1 when the backend cannot count. */
  purge({ path, glob, tags, soft = false }: AdminPurge): Promise<number> {
    const given = [path, glob, tags?.length ? tags : undefined].filter((v) => v !== undefined);
    if (given.length !== 1) throw new BadRequestException('give one of path, glob or tags');
    if (path !== undefined) {
      return this.bounded('clearPath', () => this.backend.clearPath(path, { soft }));
    }
    if (glob !== undefined) {
      if (soft) throw new BadRequestException('a glob purge deletes: soft is for path and tags');
      return this.bounded('clearPattern', () => this.backend.clearPattern(glob));
    }
    return this.bounded('invalidateTags', () => this.backend.invalidateTags(tags!, { soft }));
  }

  /** Removes every response entry (sessions and data stay). */
  clear(): Promise<number> {
    return this.bounded('clear', () => this.backend.clear());
  }

  /** A backend call bounded by `backendTimeoutMs`; a method the backend lacks is a 501. */
  private async bounded<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(call(), this.options.backendTimeoutMs, `CacheBackend.${operation}`);
    } catch (error) {
      if (error instanceof CacheXUnsupportedError) throw new NotImplementedException(error.message);
      throw error;
    }
  }
}

function variantSizes(encoded: Record<string, Buffer>): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const coding in encoded) sizes[coding] = encoded[coding]!.length;
  return sizes;
}
