import { LRUCache } from 'lru-cache';
import Negotiator from 'negotiator';

/** Every `ContentCoding`, for checking options. */
export const CONTENT_CODINGS = ['br', 'gzip'] as const;

/** The content codings the cache can store a body in (RFC 9110 §8.4.1). */
export type ContentCoding = (typeof CONTENT_CODINGS)[number];

/**
 * Media types worth compressing: text, JSON, JavaScript, XML and SVG (and
 * the `+json` / `+xml` suffixes). Images, archives and fonts other than SVG
 * are compressed already, or gain too little to pay for it.
 */
const COMPRESSIBLE =
  /^(?:text\/[^;]+|application\/(?:json|javascript|ecmascript|xml|[^;]*\+(?:json|xml))|image\/svg\+xml)\s*(?:;|$)/i;

/** Whether a `Content-Type` is one the cache compresses. */
export function isCompressibleType(contentType: string | undefined): boolean {
  return contentType !== undefined && COMPRESSIBLE.test(contentType.trim());
}

/**
 * Codings chosen before, by stored codings and `Accept-Encoding`: browsers
 * send a handful of values, so most hits skip the parse (~2 µs). Bounded in
 * entries, and only short headers are kept.
 */
const negotiated = new LRUCache<string, string>({ max: 1000 });
const MAX_REMEMBERED_HEADER_LENGTH = 200;

/**
 * The coding to answer a request with, given its `Accept-Encoding` and the
 * codings a body is stored in, best first (the server's preference when the
 * client's q-values tie); `undefined` for the body as it is (`identity`).
 * Parsed by `negotiator`: q-values, `*`, `gzip;q=0`, an explicit `identity`.
 * No header means identity (RFC 9110 §12.5.3 allows any coding, but clients
 * that accept one say so). When the client refuses identity too, identity is
 * sent anyway: always possible, and better than a `406` from a cache.
 */
export function negotiateCoding(
  acceptEncoding: string | undefined,
  available: readonly string[],
): string | undefined {
  if (acceptEncoding === undefined || available.length === 0) return undefined;
  if (acceptEncoding.length > MAX_REMEMBERED_HEADER_LENGTH) {
    return identityAsUndefined(negotiate(acceptEncoding, available));
  }
  const key = `${available.join(',')} ${acceptEncoding}`;
  let best = negotiated.get(key);
  if (best === undefined) {
    best = negotiate(acceptEncoding, available);
    negotiated.set(key, best);
  }
  return identityAsUndefined(best);
}

function identityAsUndefined(coding: string): string | undefined {
  return coding === 'identity' ? undefined : coding;
}

function negotiate(acceptEncoding: string, available: readonly string[]): string {
  const offered = [...available, 'identity'];
  const negotiator = new Negotiator({
    headers: { 'accept-encoding': acceptEncoding },
  }) as unknown as PreferringNegotiator;
  return negotiator.encoding(offered, { preferred: offered }) ?? 'identity';
}

/** negotiator ≥ 1.0 breaks q-value ties by the server's order; `@types/negotiator` (0.6) does not declare it. */
interface PreferringNegotiator {
  encoding(
    available: readonly string[],
    options: { preferred: readonly string[] },
  ): string | undefined;
}

/**
 * The entity tag of a body's encoded form: another representation, so
 * another tag (RFC 9110 §8.8.3), derived from the identity one by a suffix
 * inside the quotes, weakness kept: `"x"` → `"x-br"`, `W/"x"` → `W/"x-gzip"`.
 */
export function codedETag(etag: string, coding: string): string {
  return etag.endsWith('"') ? `${etag.slice(0, -1)}-${coding}"` : etag;
}

/** A `Vary` value with `Accept-Encoding` added, unless it names it (or `*`) already. */
export function varyOnAcceptEncoding(vary: string | undefined): string {
  if (vary === undefined || vary.trim() === '') return 'accept-encoding';
  const names = vary.split(',').map((name) => name.trim().toLowerCase());
  return names.includes('accept-encoding') || names.includes('*')
    ? vary
    : `${vary}, accept-encoding`;
}
