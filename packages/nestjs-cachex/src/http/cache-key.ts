import { type HttpRequestLike, headerValue, splitUrl } from './request.js';

/** Separates the parts of a logical cache key. */
export const KEY_SEPARATOR = '|||';

/**
 * Builds the logical cache key of a request:
 * `{METHOD}|||{host}|||{path}|||{query}`, where `host` is the Host header as
 * sent (port included) and `query` the query string as received, without `?`.
 * HEAD requests are keyed as GET, since they are answered from the GET entry.
 * Backends add their own `keyPrefix` when they store it.
 *
 * @example
 * defaultKeyBuilder(req); // 'GET|||api.example.com:8080|||/products|||page=2'
 */
export function defaultKeyBuilder(req: HttpRequestLike): string {
  const method = (req.method ?? 'GET').toUpperCase();
  const { path, query } = splitUrl(req);
  return [method === 'HEAD' ? 'GET' : method, headerValue(req, 'host') ?? '', path, query].join(
    KEY_SEPARATOR,
  );
}

/**
 * Where a stored key points: its path and query. Backends index entries by
 * path with it. Keys from a custom `keyBuilder` carry no path of their own;
 * then the entry's `path` / `query` (set by the interceptor) are used.
 */
export function keyLocation(
  key: string,
  entry?: { path?: string; query?: string },
): { path: string; query: string } | undefined {
  if (entry?.path !== undefined) return { path: entry.path, query: entry.query ?? '' };
  const parts = key.split(KEY_SEPARATOR);
  if (parts.length < 4) return undefined;
  return { path: parts[2]!, query: parts[3]! };
}
