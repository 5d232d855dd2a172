/** The name this cache gives itself in `Cache-Status` (RFC 9211). */
export const CACHE_NAME = 'cachex';

/** How the cache handled a request, as RFC 9211 reports it. */
export type CacheStatus =
  | { kind: 'hit'; ttl: number }
  | { kind: 'miss'; stored: boolean; collapsed?: boolean; detail?: string }
  | { kind: 'bypass'; detail?: string };

/**
 * Formats a `Cache-Status` member: `cachex; hit; ttl=N` (negative when served
 * stale), `cachex; fwd=miss; stored`, `cachex; fwd=miss; collapsed` (answered
 * by another request's fetch), `cachex; fwd=miss`, `cachex; fwd=bypass`.
 */
export function formatCacheStatus(status: CacheStatus): string {
  const detail = 'detail' in status && status.detail ? `; detail=${status.detail}` : '';
  switch (status.kind) {
    case 'hit':
      return `${CACHE_NAME}; hit; ttl=${status.ttl}`;
    case 'miss':
      return `${CACHE_NAME}; fwd=miss${status.stored ? '; stored' : ''}${status.collapsed ? '; collapsed' : ''}${detail}`;
    case 'bypass':
      return `${CACHE_NAME}; fwd=bypass${detail}`;
  }
}
