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

/** Every `CacheOutcome`, in the order reports list them. */
export const CACHE_OUTCOMES = [
  'hit',
  'not-modified',
  'stale',
  'stored',
  'miss',
  'collapsed',
  'bypass',
  'stale-if-error',
  'backend-error',
] as const;

/**
 * What one GET/HEAD of a `@Cache` route came to, as `CacheXMetrics` counts it
 * (exactly one per request): `hit` (a fresh entry, sent whole),
 * `not-modified` (a fresh entry answered with a 304), `stale` (served stale
 * while one refresh runs), `stored` (a miss whose response was stored),
 * `miss` (a miss not stored), `collapsed` (answered by another request's
 * fill), `bypass` (the cache was not used: a credential, `noStore`,
 * `noCache`, the handler's own `no-store`), `stale-if-error` (a stale entry
 * stood in for a failing handler) and `backend-error` (the handler answered
 * because the backend failed, timed out or its breaker was open).
 */
export type CacheOutcome = (typeof CACHE_OUTCOMES)[number];

/** `Cache-Status` details that say the backend, not the response, kept the cache out. */
const BACKEND_DETAILS = new Set(['backend-error', 'breaker-open']);

/**
 * The outcome a `Cache-Status` reports; `notModified` when the answer was a
 * 304. A stale entry reports a ttl below zero (minus zero in its first
 * millisecond) and counts as `stale` even when answered with a 304: it set
 * a refresh off.
 */
export function cacheOutcome(status: CacheStatus, notModified: boolean): CacheOutcome {
  switch (status.kind) {
    case 'hit':
      if (status.ttl < 0 || Object.is(status.ttl, -0)) return 'stale';
      return notModified ? 'not-modified' : 'hit';
    case 'bypass':
      return 'bypass';
    case 'miss':
      if (status.collapsed) return 'collapsed';
      if (status.stored) return 'stored';
      if (status.detail === 'stale-if-error') return 'stale-if-error';
      return status.detail && BACKEND_DETAILS.has(status.detail) ? 'backend-error' : 'miss';
  }
}
