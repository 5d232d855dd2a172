import { type CacheEntry } from '../backends/cache-entry.js';
import { type CacheStatus, formatCacheStatus } from '../http/cache-status.js';
import { isNotModified } from '../http/conditional.js';
import { codedETag, negotiateCoding, varyOnAcceptEncoding } from '../http/content-coding.js';
import { type HttpRequestLike, headerValue } from '../http/request.js';
import { type RoutePolicy } from './route-policy.js';

/** What answering from an entry sends: a `304` with no body, or the entry's status and bytes. */
export type HitAnswer =
  | { status: 304; headers: Record<string, string> }
  | { status: number; headers: Record<string, string>; body: Buffer };

/**
 * The answer an entry gives a request: its status, headers and bytes with
 * `Cache-Control`, `Age`, `Cache-Status` (and `Surrogate-Key`) added, or a
 * `304 Not Modified` carrying only the validators and those headers when the
 * client's `If-None-Match` / `If-Modified-Since` match (2xx entries only).
 * An entry with compressed variants answers in the best coding the
 * request's `Accept-Encoding` allows (`identity` otherwise), with
 * `Content-Encoding`, the coding's own `ETag` (what `If-None-Match` is
 * matched against) and `Vary: Accept-Encoding`, on a 304 too.
 * `Age` counts from the entry's `storedAt` to `now` (epoch ms, from the `Clock`).
 */
export function hitAnswer(
  req: HttpRequestLike,
  policy: RoutePolicy,
  entry: CacheEntry,
  status: CacheStatus,
  surrogateKeys: boolean,
  now: number,
): HitAnswer {
  const { 'last-modified': lastModified } = entry.headers;
  let { etag, vary } = entry.headers;
  let body = entry.body;
  let coding: string | undefined;
  if (entry.encoded) {
    vary = varyOnAcceptEncoding(vary);
    coding = negotiateCoding(headerValue(req, 'accept-encoding'), Object.keys(entry.encoded));
    if (coding !== undefined) {
      body = entry.encoded[coding]!;
      if (etag !== undefined) etag = codedETag(etag, coding);
    }
  }
  const notModified =
    entry.status >= 200 &&
    entry.status < 300 &&
    isNotModified(
      {
        ifNoneMatch: headerValue(req, 'if-none-match'),
        ifModifiedSince: headerValue(req, 'if-modified-since'),
      },
      { etag, lastModified },
    );
  // One new object per answer, which the caller may add to. Object.assign, not
  // a spread: V8 adds properties to a spread copy on a slow path (~1 µs each).
  const headers: Record<string, string> = notModified ? {} : Object.assign({}, entry.headers);
  if (notModified) {
    if (etag !== undefined) headers['etag'] = etag;
    if (lastModified !== undefined) headers['last-modified'] = lastModified;
    if (vary !== undefined) headers['vary'] = vary;
  } else if (entry.encoded) {
    if (etag !== undefined) headers['etag'] = etag;
    headers['vary'] = vary!;
    if (coding !== undefined) headers['content-encoding'] = coding;
  }
  headers['Cache-Control'] = policy.cacheControl;
  if (policy.cdnCacheControl) headers['CDN-Cache-Control'] = policy.cdnCacheControl;
  headers['Age'] = String(Math.max(0, Math.floor((now - entry.storedAt) / 1000)));
  headers['Cache-Status'] = formatCacheStatus(status);
  if (surrogateKeys && entry.tags?.length) headers['Surrogate-Key'] = entry.tags.join(' ');
  return notModified ? { status: 304, headers } : { status: entry.status, headers, body };
}
