/**
 * What a backend can do, for `describeBackendConformance`. Every flag
 * defaults to `true` (a full backend, like `MemoryBackend` and
 * `RedisBackend`). A flag set to `false` does not skip the tests of that
 * feature: the suite then checks that the backend refuses it as documented.
 *
 * @example
 * // Memcached: no key listing, no globs, purges it cannot count
 * describeBackendConformance('memcached', create, { counts: false, listsKeys: false, globs: false });
 */
export interface BackendCapabilities {
  /**
   * `clear()`, `clearPath()`, `clearPattern()`, `invalidateTags()` and a
   * namespace's `clear()` / `clearPattern()` resolve to the number of
   * entries (keys) they removed or marked. Off: they resolve to `-1`.
   */
  counts?: boolean;
  /**
   * `keys()` lists every logical key of the response cache. Off: it refuses
   * with `CacheXUnsupportedError` naming `keys`.
   */
  listsKeys?: boolean;
  /**
   * `clearPattern(glob)` on the backend and on its namespaces. Off: both
   * refuse with `CacheXUnsupportedError` naming `clearPattern`.
   */
  globs?: boolean;
  /**
   * `clearPath(path, { includeQuery: false })` keeps the path's entries that
   * have a query. Off: it refuses with `CacheXUnsupportedError` naming `clearPath`.
   */
  clearPathWithoutQuery?: boolean;
  /**
   * `invalidateTags()`, hard and soft. Off: it refuses with
   * `CacheXUnsupportedError` naming `invalidateTags` (the base class's default).
   */
  tags?: boolean;
  /**
   * `namespace(name)` key-value stores (for `CacheManager`, sessions and
   * locks). Off: it throws `CacheXUnsupportedError` naming `namespace` (the
   * base class's default).
   */
  namespaces?: boolean;
}

/** The capabilities with every flag given. */
export type ResolvedCapabilities = Required<BackendCapabilities>;

/** The flags given, the others `true`. */
export function resolveCapabilities(capabilities: BackendCapabilities = {}): ResolvedCapabilities {
  return {
    counts: capabilities.counts ?? true,
    listsKeys: capabilities.listsKeys ?? true,
    globs: capabilities.globs ?? true,
    clearPathWithoutQuery: capabilities.clearPathWithoutQuery ?? true,
    tags: capabilities.tags ?? true,
    namespaces: capabilities.namespaces ?? true,
  };
}
