import { Inject, Injectable, Optional } from '@nestjs/common';
import { createHash, createHmac } from 'node:crypto';
import { parseCookies } from '../http/cookie.js';
import { nameMatcher } from '../http/name-pattern.js';
import { type HttpRequestLike, headerValue } from '../http/request.js';
import { RESOLVED_CACHEX_OPTIONS } from './cache.constants.js';
import { type ResolvedCacheXOptions } from './cache-module.options.js';

/**
 * What the cache must know of sessions (the session module's token), so that
 * it never serves one user's private response, or token, to another.
 * Provided under `CACHE_CREDENTIAL_SOURCE` by `SessionModule`.
 */
export interface CredentialSource {
  /** The session token the request carries, or `undefined`. */
  read(req: HttpRequestLike): string | undefined;
  /** The id of the session verified for this request (by `SessionGuard`), or `undefined`. */
  verifiedId(req: HttpRequestLike): string | undefined;
  /** Response headers that carry a credential: never stored in an entry, so never replayed. */
  responseHeaders: readonly string[];
}

/** DI token of the optional `CredentialSource`; internal to the package. */
export const CACHE_CREDENTIAL_SOURCE = Symbol('CACHEX_CREDENTIAL_SOURCE');

/** Which credential made a request private, as `Cache-Status` reports it (`detail=`). */
export type CredentialKind = 'authorization' | 'session' | 'cookie';

/** Who a private entry belongs to, or why the request has no identity to key by. */
export type Identity = { id: string } | { none: 'no-credential' | 'unverified-session' };

/**
 * The one place that decides what a credential is and whose a request is
 * (API.md "Private data"). A credential is an `Authorization` header, the
 * session token, or any cookie whose name is not in `ignoreCookies`. A
 * request's identity, for `private: true` entries, is the session
 * `SessionModule` verified, else a keyed HMAC of every credential present;
 * a session token nobody verified (revoked, expired, forged, or a route
 * without `SessionGuard`) is no identity.
 */
@Injectable()
export class CacheCredentials {
  private readonly ignoredCookie: (name: string) => boolean;
  private readonly secret: Buffer;

  constructor(
    @Inject(RESOLVED_CACHEX_OPTIONS) options: ResolvedCacheXOptions,
    @Optional() @Inject(CACHE_CREDENTIAL_SOURCE) readonly sessions?: CredentialSource,
  ) {
    this.ignoredCookie = nameMatcher(options.ignoreCookies);
    this.secret = options.identitySecret;
  }

  /** The first credential the request carries, or `undefined` when it carries none. */
  kind(req: HttpRequestLike): CredentialKind | undefined {
    const authorization = req.headers['authorization'];
    if (authorization !== undefined && authorization !== '') return 'authorization';
    if (this.sessions?.read(req) !== undefined) return 'session';
    return this.credentialCookies(req).length > 0 ? 'cookie' : undefined;
  }

  /** Whose the request is, for a `private: true` entry. */
  identity(req: HttpRequestLike): Identity {
    const sessionId = this.sessions?.verifiedId(req);
    // Session ids are random: a plain digest cannot be turned back into one, and
    // every instance computes the same, so a session's entries are shared.
    if (sessionId !== undefined) {
      return { id: `session:${createHash('sha256').update(sessionId).digest('base64url')}` };
    }
    if (this.sessions?.read(req) !== undefined) return { none: 'unverified-session' };
    const authorization = headerValue(req, 'authorization') || undefined;
    const cookies = this.credentialCookies(req).sort(([a], [b]) => (a < b ? -1 : 1));
    if (authorization === undefined && cookies.length === 0) return { none: 'no-credential' };
    // JSON keeps every value apart: a decoded cookie value may hold any character.
    const credentials = JSON.stringify([authorization ?? null, cookies]);
    const digest = createHmac('sha256', this.secret).update(credentials).digest('base64url');
    return { id: `hmac:${digest}` };
  }

  /** Response headers that carry a credential and are never stored. */
  get responseHeaders(): readonly string[] {
    return this.sessions?.responseHeaders ?? [];
  }

  /** The cookies that make a request private: every one not in `ignoreCookies`. */
  private credentialCookies(req: HttpRequestLike): Array<[string, string]> {
    const header = headerValue(req, 'cookie');
    if (header === undefined || header === '') return [];
    return [...parseCookies(header)].filter(([name]) => !this.ignoredCookie(name));
  }
}
