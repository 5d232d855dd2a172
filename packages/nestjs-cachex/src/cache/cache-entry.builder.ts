import { type CacheEntry } from '../backends/cache-entry.js';
import { strongETag } from '../http/etag.js';
import { routePath } from '../http/cache-key.js';
import { type HttpRequestLike, splitUrl } from '../http/request.js';
import { type SerializedBody } from '../http/response-body.js';
import { resolveTags, type RoutePolicy, varyNames, varyValuesOf } from './route-policy.js';

/** What an entry is made of: one handler run's response, under a route's policy. */
export interface EntryParts {
  req: HttpRequestLike;
  policy: RoutePolicy;
  status: number;
  /** The storable headers of the response (lower-case names). */
  headers: Record<string, string>;
  serialized: SerializedBody;
  /** The handler's result, for tag functions of the body. */
  value: unknown;
  /**
   * The validators of the entry this one replaces: when the new bytes carry
   * the same `ETag`, its `Last-Modified` is kept, so a client revalidating
   * with `If-Modified-Since` alone still gets a 304 after a refill.
   */
  previous?: { etag?: string; lastModified?: string };
  /** When it is stored, in epoch ms (from the `Clock`): its `storedAt` and default `Last-Modified`. */
  now: number;
}

/**
 * Builds the entry stored for a response: its content type defaulted from the
 * serialisation, a strong `ETag` and a `Last-Modified` unless the handler set
 * them, the route's `Vary` names merged in with the request values they were
 * stored for, its lifetimes and tags.
 */
export function buildEntry({
  req,
  policy,
  status,
  headers,
  serialized,
  value,
  previous,
  now,
}: EntryParts): CacheEntry {
  const stored = { ...headers };
  if (
    serialized.contentType &&
    stored['content-type'] === undefined &&
    serialized.body.length > 0
  ) {
    stored['content-type'] = serialized.contentType;
  }
  stored['etag'] ??= strongETag(serialized.body);
  const unchanged = previous?.lastModified !== undefined && previous.etag === stored['etag'];
  stored['last-modified'] ??= unchanged ? previous.lastModified! : new Date(now).toUTCString();
  const vary = varyNames(stored['vary'], policy.vary);
  if (vary.length > 0) stored['vary'] = vary.join(', ');
  // Indexed by the path as keys spell it, so every spelling is invalidated at once.
  const path = routePath(req);
  const { query } = splitUrl(req);
  const tags = resolveTags(policy.tags, req, value);
  return {
    status,
    headers: stored,
    body: serialized.body,
    storedAt: now,
    maxAge: policy.ttl,
    ...(policy.staleWhileRevalidate && { staleWhileRevalidate: policy.staleWhileRevalidate }),
    ...(policy.staleIfError && { staleIfError: policy.staleIfError }),
    ...(tags.length > 0 && { tags }),
    path,
    query,
    ...(vary.length > 0 && { varyValues: varyValuesOf(vary, req) }),
  };
}
