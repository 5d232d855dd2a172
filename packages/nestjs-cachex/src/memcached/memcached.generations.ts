import { randomBytes } from 'node:crypto';
import { CacheXError } from '../common/errors.js';
import { type MemcachedClient } from './memcached.client.js';

/**
 * A generation (namespace version) kept in memcached as `hard.soft`: two
 * random tokens. A purge replaces both, a soft purge only `soft`. An entry
 * remembers the generations it was written under; when one has changed since,
 * the entry is gone (hard changed) or stale (only soft changed). Random tokens
 * instead of counters: a generation key evicted and created again can never
 * repeat an old value and bring purged entries back.
 */
export interface Generation {
  hard: string;
  soft: string;
}

/** How an entry written under some generations stands now. */
export type Standing = 'fresh' | 'stale' | 'gone';

/** A new random token (48 bits, base64url). */
export function newToken(): string {
  return randomBytes(6).toString('base64url');
}

/** `hard.soft`, as stored and as remembered by entries. */
export function formatGeneration(generation: Generation): string {
  return `${generation.hard}.${generation.soft}`;
}

/** Reads `hard.soft`; anything else is `undefined` (treated as missing). */
export function parseGeneration(value: string): Generation | undefined {
  const match = /^([\w-]+)\.([\w-]+)$/.exec(value);
  return match ? { hard: match[1]!, soft: match[2]! } : undefined;
}

/**
 * How an entry written under `then` (formatted) stands under `now`: a missing
 * generation (never written, or evicted) counts as changed.
 */
export function standing(then: string | undefined, now: Generation | undefined): Standing {
  const was = then === undefined ? undefined : parseGeneration(then);
  if (!was || !now || was.hard !== now.hard) return 'gone';
  return was.soft === now.soft ? 'fresh' : 'stale';
}

/** The worst of several standings: gone beats stale beats fresh. */
export function worstStanding(standings: Standing[]): Standing {
  if (standings.includes('gone')) return 'gone';
  return standings.includes('stale') ? 'stale' : 'fresh';
}

/** Most generations remembered in process; the oldest are forgotten first. */
const MAX_CACHED_GENERATIONS = 10_000;
/** CAS attempts of a soft purge racing other writers of the same generation. */
const MAX_CAS_ATTEMPTS = 8;

/**
 * Reads, creates and bumps generations. What it read or wrote is trusted for
 * `cacheMs` (bounded in count), so most hits need no generation request; bumps
 * made here are seen here at once, bumps from other processes within `cacheMs`.
 * Generation keys never expire: they are a few bytes, and if memcached evicts
 * one, the entries that depended on it are treated as gone (never revived).
 */
export class GenerationStore {
  private readonly cache = new Map<string, { generation: Generation; until: number }>();

  constructor(
    private readonly client: MemcachedClient,
    private readonly cacheMs: number,
  ) {}

  /** The current generations of `keys`; a missing one is absent from the map. */
  async read(keys: Iterable<string>): Promise<Map<string, Generation>> {
    const found = new Map<string, Generation>();
    const fetches: Promise<void>[] = [];
    for (const key of new Set(keys)) {
      const cached = this.cached(key);
      if (cached) found.set(key, cached);
      else {
        fetches.push(
          this.fetch(key).then((generation) => {
            if (generation) found.set(key, generation);
          }),
        );
      }
    }
    await Promise.all(fetches);
    return found;
  }

  /** The current generations of `keys`, creating those that are missing. */
  async ensure(keys: Iterable<string>): Promise<Map<string, Generation>> {
    const unique = [...new Set(keys)];
    const found = await this.read(unique);
    const missing = unique.filter((key) => !found.has(key));
    await Promise.all(
      missing.map(async (key) => {
        const created = { hard: newToken(), soft: newToken() };
        // `add`: when two processes create one generation at once, both use the winner's.
        if ((await this.client.write('add', key, formatGeneration(created))) === 'stored') {
          this.remember(key, created);
          found.set(key, created);
          return;
        }
        const winner = await this.fetch(key);
        // Evicted again in between (improbable): entries written under it are simply gone.
        found.set(key, winner ?? created);
      }),
    );
    return found;
  }

  /**
   * A purge: every key gets a new generation, so whatever was written under
   * the old one is gone. A soft purge keeps `hard` and replaces `soft` (a
   * compare-and-set, so a concurrent purge is never undone); a missing
   * generation has nothing left to mark.
   */
  async bump(keys: string[], soft: boolean): Promise<void> {
    await Promise.all(keys.map((key) => (soft ? this.bumpSoft(key) : this.bumpHard(key))));
  }

  private async bumpHard(key: string): Promise<void> {
    const next = { hard: newToken(), soft: newToken() };
    const result = await this.client.write('set', key, formatGeneration(next));
    if (result !== 'stored') throw new CacheXError(`memcached refused to store ${key}: ${result}`);
    this.remember(key, next);
  }

  private async bumpSoft(key: string): Promise<void> {
    for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
      const stored = await this.client.get(key);
      const current = stored && parseGeneration(stored.value.toString('utf8'));
      if (!stored || !current) {
        this.cache.delete(key);
        return;
      }
      const next = { hard: current.hard, soft: newToken() };
      const result = await this.client.write('set', key, formatGeneration(next), 0, stored.cas);
      if (result === 'stored') {
        this.remember(key, next);
        return;
      }
      if (result === 'too-large') break;
    }
    throw new CacheXError(`MemcachedBackend: could not mark ${key} stale (concurrent updates)`);
  }

  private async fetch(key: string): Promise<Generation | undefined> {
    const stored = await this.client.get(key);
    const generation = stored && parseGeneration(stored.value.toString('utf8'));
    if (generation) this.remember(key, generation);
    else this.cache.delete(key);
    return generation;
  }

  private cached(key: string): Generation | undefined {
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.generation;
    if (hit) this.cache.delete(key);
    return undefined;
  }

  private remember(key: string, generation: Generation): void {
    if (this.cacheMs === 0) return;
    this.cache.delete(key); // re-inserted last: the Map's order is the eviction order
    if (this.cache.size >= MAX_CACHED_GENERATIONS) {
      this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(key, { generation, until: Date.now() + this.cacheMs });
  }
}
