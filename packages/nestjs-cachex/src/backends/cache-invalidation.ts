import { type CacheBackend } from './cache-backend.js';

/**
 * One invalidation of the response cache, as `TieredBackend` publishes it on
 * its bus so that every instance applies it to its local tier. It names what
 * to remove, never a body: `delete` also tells the others to drop their local
 * copy of a key this instance has just stored.
 */
export type CacheInvalidation =
  | { op: 'delete'; key: string }
  | { op: 'clear' }
  | { op: 'clearPath'; path: string; includeQuery?: boolean; soft?: boolean }
  | { op: 'clearPattern'; glob: string }
  | { op: 'invalidateTags'; tags: string[]; soft?: boolean };

/** Applies an invalidation to one backend; resolves to the backend's count (-1 when it cannot count). */
export async function applyInvalidation(
  backend: CacheBackend,
  invalidation: CacheInvalidation,
): Promise<number> {
  switch (invalidation.op) {
    case 'delete':
      return (await backend.delete(invalidation.key)) ? 1 : 0;
    case 'clear':
      return backend.clear();
    case 'clearPath':
      return backend.clearPath(invalidation.path, {
        includeQuery: invalidation.includeQuery,
        soft: invalidation.soft,
      });
    case 'clearPattern':
      return backend.clearPattern(invalidation.glob);
    case 'invalidateTags':
      return backend.invalidateTags(invalidation.tags, { soft: invalidation.soft });
  }
}
