/**
 * How a session token travels: read from a request (header, bearer, cookie)
 * and written to a response (token header or Set-Cookie). No Nest import:
 * these are plain rules over `HttpRequestLike`, tested like arithmetic.
 */
import { parseCookies } from '../../http/cookie.js';
import { type HttpRequestLike, headerValue } from '../../http/request.js';
import { type ResolvedCookieOptions, type ResolvedSessionOptions } from '../session-options.js';

/** Where a request's token came from; a renewed token goes back the same way. */
export type TokenSource = 'header' | 'bearer' | 'cookie';

/** A token read from a request. */
export interface FoundToken {
  token: string;
  source: TokenSource;
}

type TransportOptions = Pick<ResolvedSessionOptions, 'headerName' | 'bearer' | 'cookie'>;

/**
 * The token from the first source present: the token header, then
 * `Authorization: Bearer`, then the session cookie. Only the first source is
 * read, so a bad token there is never rescued by another one. A present but
 * empty source yields an empty token (which then fails verification).
 */
export function readToken(req: HttpRequestLike, options: TransportOptions): FoundToken | undefined {
  const header = headerValue(req, options.headerName);
  if (header !== undefined) return { token: header.trim(), source: 'header' };

  if (options.bearer) {
    const authorization = headerValue(req, 'authorization');
    const match =
      authorization === undefined ? null : /^\s*bearer(?:\s+(.*))?$/i.exec(authorization);
    if (match) return { token: (match[1] ?? '').trim(), source: 'bearer' };
  }

  if (options.cookie) {
    const cookies = headerValue(req, 'cookie');
    if (cookies !== undefined) {
      const value = parseCookies(cookies).get(options.cookie.name);
      if (value !== undefined) return { token: value, source: 'cookie' };
    }
  }
  return undefined;
}

/**
 * A `Set-Cookie` value for the session cookie. `maxAgeSeconds` of 0 clears it
 * (with an `Expires` in the past too, for old clients).
 */
export function serializeCookie(
  value: string,
  options: ResolvedCookieOptions,
  maxAgeSeconds: number,
): string {
  const parts = [`${options.name}=${encodeURIComponent(value)}`, `Path=${options.path}`];
  if (options.domain !== undefined) parts.push(`Domain=${options.domain}`);
  const maxAge = Math.max(0, Math.floor(maxAgeSeconds));
  parts.push(`Max-Age=${maxAge}`);
  parts.push(`Expires=${new Date(maxAge === 0 ? 0 : Date.now() + maxAge * 1000).toUTCString()}`);
  if (options.httpOnly) parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  parts.push(`SameSite=${options.sameSite[0]!.toUpperCase()}${options.sameSite.slice(1)}`);
  return parts.join('; ');
}

/**
 * Writes headers on a platform response. `SessionModule` implements it with
 * Nest's `HttpAdapterHost` (so Express and Fastify both work); the fallback
 * below speaks Node's `ServerResponse` API.
 */
export interface ResponseHeaderWriter {
  setHeader(res: unknown, name: string, value: string): void;
  appendHeader(res: unknown, name: string, value: string): void;
}

interface NodeLikeResponse {
  setHeader?(name: string, value: string | string[]): unknown;
  getHeader?(name: string): unknown;
  header?(name: string, value: string): unknown;
}

/** Writes through Node's `ServerResponse` API (Express responses are ones). */
export const nodeHeaderWriter: ResponseHeaderWriter = {
  setHeader(res, name, value) {
    const r = res as NodeLikeResponse;
    if (typeof r.setHeader === 'function') r.setHeader(name, value);
    else if (typeof r.header === 'function') r.header(name, value);
  },
  appendHeader(res, name, value) {
    const r = res as NodeLikeResponse;
    if (typeof r.setHeader !== 'function') {
      if (typeof r.header === 'function') r.header(name, value);
      return;
    }
    const previous = typeof r.getHeader === 'function' ? r.getHeader(name) : undefined;
    const values =
      previous === undefined
        ? [value]
        : Array.isArray(previous)
          ? [...(previous as string[]), value]
          : [String(previous), value];
    r.setHeader(name, values.length === 1 ? values[0]! : values);
  },
};
