/**
 * The `CacheBackend` conformance suite of `nestjs-cachex/testing`, run
 * against every built-in backend on real servers (the keyv idea), and against
 * a minimal backend written as API.md "Writing a backend" allows: it proves
 * the base class's defaults refuse `invalidateTags` and `namespace` as
 * documented.
 */
import {
  CacheBackend,
  type CacheEntry,
  type ClearPathOptions,
  CacheXUnsupportedError,
} from 'nestjs-cachex';
import { describeBackendConformance } from 'nestjs-cachex/testing';
import { backendCases, describeBackend } from '../support/backends.js';

// Each built-in backend with what it can do; the suite checks the refusals of the rest.
for (const backendCase of backendCases) {
  describeBackend(backendCase)(backendCase.name, () => {
    describeBackendConformance(
      backendCase.name,
      ({ keyPrefix }) => backendCase.create({ keyPrefix }),
      backendCase.capabilities,
    );
  });
}

/**
 * A backend with only the response-cache methods, on a `Map`: no
 * `invalidateTags`, no `namespace`. Its entries expire by their own clock.
 */
class MapBackend extends CacheBackend {
  private readonly entries = new Map<string, { entry: CacheEntry; expiresAt: number }>();

  async get(key: string): Promise<CacheEntry | undefined> {
    const stored = this.entries.get(key);
    if (stored && stored.expiresAt > Date.now()) return stored.entry;
    this.entries.delete(key);
    return undefined;
  }

  async set(key: string, entry: CacheEntry, ttlSeconds?: number): Promise<void> {
    const lifetime =
      ttlSeconds ??
      entry.maxAge + Math.max(entry.staleWhileRevalidate ?? 0, entry.staleIfError ?? 0);
    this.entries.set(key, { entry: { ...entry }, expiresAt: Date.now() + lifetime * 1000 });
  }

  async delete(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined && this.entries.delete(key);
  }

  async clear(): Promise<number> {
    return this.remove(await this.keys());
  }

  async clearPath(path: string, options: ClearPathOptions = {}): Promise<number> {
    const includeQuery = options.includeQuery ?? true;
    const keys = (await this.live()).filter(([key, entry]) => {
      const location = locationOf(key, entry);
      return location?.path === path && (includeQuery || location.query === '');
    });
    if (!options.soft) return this.remove(keys.map(([key]) => key));
    for (const [, entry] of keys) entry.invalidated = true;
    return keys.length;
  }

  async clearPattern(glob: string): Promise<number> {
    const pattern = globPattern(glob);
    const keys = (await this.live()).filter(([key, entry]) => {
      const path = locationOf(key, entry)?.path;
      return path !== undefined && pattern.test(path);
    });
    return this.remove(keys.map(([key]) => key));
  }

  async keys(): Promise<string[]> {
    return (await this.live()).map(([key]) => key);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private async live(): Promise<Array<[string, CacheEntry]>> {
    const live: Array<[string, CacheEntry]> = [];
    for (const key of [...this.entries.keys()]) {
      const entry = await this.get(key);
      if (entry) live.push([key, entry]);
    }
    return live;
  }

  private remove(keys: string[]): number {
    return keys.filter((key) => this.entries.delete(key)).length;
  }
}

/** An entry's path and query: its own, or those of a `METHOD|||origin|||path|||query` key. */
function locationOf(key: string, entry: CacheEntry): { path: string; query: string } | undefined {
  if (entry.path !== undefined) return { path: entry.path, query: entry.query ?? '' };
  const parts = key.split('|||');
  return parts.length >= 4 ? { path: parts[2]!, query: parts[3]! } : undefined;
}

/** `*` any run, `?` one character, `[abc]` one of a set; the rest literally. */
function globPattern(glob: string): RegExp {
  const source = glob.replace(/\[[^\]]+\]|[*?]|[^*?[]+|\[/g, (part) => {
    if (part === '*') return '[\\s\\S]*';
    if (part === '?') return '[\\s\\S]';
    if (part.length > 2 && part.startsWith('[')) return part;
    return part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  });
  return new RegExp(`^${source}$`);
}

describeBackendConformance('a minimal custom backend (Map)', () => new MapBackend(), {
  tags: false,
  namespaces: false,
});

describe('a minimal custom backend (Map)', () => {
  it('is refused by name: the defaults name the method and the backend class', async () => {
    const backend = new MapBackend();
    await expect(backend.invalidateTags(['t'])).rejects.toThrow(CacheXUnsupportedError);
    await expect(backend.invalidateTags(['t'])).rejects.toThrow(/MapBackend.*invalidateTags\(\)/);
    expect(() => backend.namespace('session')).toThrow(/MapBackend.*namespace\(\)/);
  });
});
