import { type CacheBackend } from '../backends/cache-backend.js';
import { CacheXConfigError } from '../common/errors.js';

/** HMAC algorithms a session JWT may be signed with (a shared secret, never `none`). */
export type SessionJwtAlgorithm = 'HS256' | 'HS384' | 'HS512';

/** The algorithms `jwt.algorithm` accepts. */
const JWT_ALGORITHMS: readonly SessionJwtAlgorithm[] = ['HS256', 'HS384', 'HS512'];

/**
 * Options of `tokenFormat: 'jwt'`. Tokens carry `sid`, `iat`, `exp`, and
 * `iss` / `aud` when configured; verification rejects any other algorithm,
 * issuer or audience.
 */
export interface SessionJwtOptions {
  /** Signing algorithm, default `'HS256'`; tokens signed with another one are rejected. */
  algorithm?: SessionJwtAlgorithm;
  /** Written to `iss` and required on verification. */
  issuer?: string;
  /** Written to `aud` and required on verification. */
  audience?: string | string[];
  /** Seconds of clock skew tolerated on `exp`/`iat` (default 0). */
  leeway?: number;
}

/** `SameSite` attribute of the session cookie. */
export type SessionCookieSameSite = 'strict' | 'lax' | 'none';

/**
 * Cookie transport. Giving this object turns it on; every field is optional.
 * Defaults: name `session`, `HttpOnly`, `SameSite=Lax`, path `/`, no `Secure`
 * (set `secure: true` in production), `Max-Age` = the session's remaining life.
 */
export interface SessionCookieOptions {
  /** Cookie name, default `'session'`. */
  name?: string;
  /** Default `'/'`. */
  path?: string;
  /** The cookie's `Domain`; none by default (the cookie goes to the host that set it only). */
  domain?: string;
  /** Default `'lax'`; `'none'` requires `secure: true`. */
  sameSite?: SessionCookieSameSite;
  /** Sends the `Secure` attribute (default `false`). */
  secure?: boolean;
  /** Sends the `HttpOnly` attribute (default `true`). */
  httpOnly?: boolean;
  /** Cookie `Max-Age` in seconds; default: the time the session has left. */
  maxAge?: number;
}

/**
 * Options of `SessionModule.forRoot()` / `forRootAsync()`. Durations are in
 * seconds unless the name says `Ms`. Validated at start-up: a bad value throws
 * `CacheXConfigError` naming the option.
 *
 * @example
 * SessionModule.forRoot({
 *   secret: [process.env.SESSION_SECRET!, process.env.SESSION_SECRET_PREVIOUS!],
 *   ttl: 3600,
 *   cookie: { secure: true },
 * })
 */
export interface SessionModuleOptions {
  /**
   * Signing secret(s), each at least 32 characters. With a list, the first
   * signs and every one verifies: put a new secret first and drop the old one
   * once its tokens have expired (key rotation without logging everyone out).
   */
  secret: string | string[];
  /** Session lifetime in seconds (default 3600). */
  ttl?: number;
  /** Renew sessions that are used close to their expiry (default `true`). */
  slidingExpiration?: boolean;
  /** Renew when the time left is below `slidingThreshold × ttl` (0..1, default 0.5). */
  slidingThreshold?: number;
  /** Hard cap in seconds from creation; sliding renewal never goes past it. */
  absoluteTimeout?: number;
  /** `'simple'` (id + HMAC-SHA256, default) or `'jwt'` (needs `@nestjs/jwt`). */
  tokenFormat?: 'simple' | 'jwt';
  /** Options of `tokenFormat: 'jwt'`. */
  jwt?: SessionJwtOptions;
  /** Request and response header carrying the token (default `'x-session-token'`). */
  headerName?: string;
  /** Also read `Authorization: Bearer <token>` (default `true`). */
  bearer?: boolean;
  /** Cookie transport: off (`false`, the default) or its options. */
  cookie?: false | SessionCookieOptions;
  /** Reject a session used from another `req.ip` than the one it was created from. */
  ipBinding?: boolean;
  /** Reject a session used with another `User-Agent` than the one it was created with. */
  userAgentBinding?: boolean;
  /** Namespace of the session keys inside the backend (default `'session:'`). */
  keyPrefix?: string;
  /**
   * Where sessions are stored. Default: the `CacheBackend` of `CacheXModule`.
   * A backend given here is closed on application shutdown (unless it is that
   * same `CacheBackend`).
   */
  backend?: CacheBackend;
  /** Bound on every backend call made while answering a request (ms, default 1000). */
  backendTimeoutMs?: number;
}

/** The options with every default applied; internal. */
export interface ResolvedSessionOptions {
  secrets: string[];
  ttl: number;
  slidingExpiration: boolean;
  slidingThreshold: number;
  absoluteTimeout: number | undefined;
  tokenFormat: 'simple' | 'jwt';
  jwt: Required<Pick<SessionJwtOptions, 'algorithm' | 'leeway'>> &
    Pick<SessionJwtOptions, 'issuer' | 'audience'>;
  headerName: string;
  bearer: boolean;
  cookie: ResolvedCookieOptions | false;
  ipBinding: boolean;
  userAgentBinding: boolean;
  keyPrefix: string;
  backend: CacheBackend | undefined;
  backendTimeoutMs: number;
}

/** Cookie options with their defaults; internal. */
export interface ResolvedCookieOptions {
  name: string;
  path: string;
  domain: string | undefined;
  sameSite: SessionCookieSameSite;
  secure: boolean;
  httpOnly: boolean;
  maxAge: number | undefined;
}

/** Minimum secret length in characters. */
export const MIN_SECRET_LENGTH = 32;

// RFC 7230 token characters: what a header or cookie name may contain.
const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Characters allowed in a cookie Path / Domain attribute (no `;`, no controls).
const ATTRIBUTE_CHARS = /^[\x21-\x3a\x3c-\x7e]+$/;

function fail(option: string, problem: string): never {
  throw new CacheXConfigError(`SessionModule option \`${option}\` ${problem}`);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function positiveSeconds(option: string, value: unknown, fallback: number): number;
function positiveSeconds(option: string, value: unknown, fallback?: number): number | undefined;
function positiveSeconds(option: string, value: unknown, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  if (!isFiniteNumber(value) || value <= 0) {
    fail(option, `must be a number of seconds greater than 0 (got ${String(value)})`);
  }
  return value;
}

function bool(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(option, `must be true or false (got ${String(value)})`);
  return value;
}

/**
 * Applies the defaults and checks every option; throws `CacheXConfigError`
 * naming the first bad option. Runs once at start-up.
 */
export function resolveSessionOptions(options: SessionModuleOptions): ResolvedSessionOptions {
  if (options === null || typeof options !== 'object') {
    throw new CacheXConfigError(
      'SessionModule needs options: SessionModule.forRoot({ secret: "<at least 32 characters>" })',
    );
  }
  const secrets = Array.isArray(options.secret) ? options.secret : [options.secret];
  if (options.secret === undefined || secrets.length === 0) {
    fail(
      'secret',
      `is required: one string or a non-empty list, each at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  secrets.forEach((secret, i) => {
    const where = Array.isArray(options.secret) ? `secret[${i}]` : 'secret';
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
      fail(
        where,
        `must be a string of at least ${MIN_SECRET_LENGTH} characters (got ${typeof secret === 'string' ? `${secret.length}` : typeof secret}); generate one with \`openssl rand -base64 48\``,
      );
    }
  });

  const ttl = positiveSeconds('ttl', options.ttl, 3600);
  const absoluteTimeout = positiveSeconds('absoluteTimeout', options.absoluteTimeout);
  const slidingThreshold = options.slidingThreshold ?? 0.5;
  if (!isFiniteNumber(slidingThreshold) || slidingThreshold < 0 || slidingThreshold > 1) {
    fail(
      'slidingThreshold',
      `must be a number from 0 to 1 (got ${String(options.slidingThreshold)})`,
    );
  }

  const tokenFormat = options.tokenFormat ?? 'simple';
  if (tokenFormat !== 'simple' && tokenFormat !== 'jwt') {
    fail('tokenFormat', `must be 'simple' or 'jwt' (got ${JSON.stringify(tokenFormat)})`);
  }
  const algorithm = options.jwt?.algorithm ?? 'HS256';
  if (!JWT_ALGORITHMS.includes(algorithm)) {
    fail(
      'jwt.algorithm',
      `must be one of ${JWT_ALGORITHMS.join(', ')} (got ${JSON.stringify(algorithm)})`,
    );
  }
  const leeway = options.jwt?.leeway ?? 0;
  if (!isFiniteNumber(leeway) || leeway < 0) {
    fail('jwt.leeway', `must be a number of seconds, 0 or more (got ${String(leeway)})`);
  }
  if (options.jwt?.issuer !== undefined && !isNonEmptyString(options.jwt.issuer)) {
    fail('jwt.issuer', 'must be a non-empty string');
  }
  const audience = options.jwt?.audience;
  if (
    audience !== undefined &&
    !isNonEmptyString(audience) &&
    !(Array.isArray(audience) && audience.length > 0 && audience.every(isNonEmptyString))
  ) {
    fail('jwt.audience', 'must be a non-empty string or a non-empty list of them');
  }

  const rawHeaderName: unknown = options.headerName ?? 'x-session-token';
  if (typeof rawHeaderName !== 'string' || !TOKEN_CHARS.test(rawHeaderName)) {
    fail(
      'headerName',
      `must be a valid HTTP header name (got ${JSON.stringify(options.headerName)})`,
    );
  }
  const headerName = rawHeaderName.toLowerCase();
  if (headerName === 'authorization' || headerName === 'cookie' || headerName === 'set-cookie') {
    fail('headerName', `cannot be ${headerName}: use the \`bearer\` or \`cookie\` option`);
  }

  const keyPrefix = options.keyPrefix ?? 'session:';
  if (typeof keyPrefix !== 'string' || !/^[\x21-\x7e]+$/.test(keyPrefix)) {
    fail('keyPrefix', 'must be a non-empty string of printable ASCII characters, without spaces');
  }

  const backendTimeoutMs = options.backendTimeoutMs ?? 1000;
  if (!isFiniteNumber(backendTimeoutMs) || backendTimeoutMs <= 0) {
    fail(
      'backendTimeoutMs',
      `must be a number of milliseconds greater than 0 (got ${String(backendTimeoutMs)})`,
    );
  }

  return {
    secrets,
    ttl,
    slidingExpiration: bool('slidingExpiration', options.slidingExpiration, true),
    slidingThreshold,
    absoluteTimeout,
    tokenFormat,
    jwt: { algorithm, leeway, issuer: options.jwt?.issuer, audience },
    headerName,
    bearer: bool('bearer', options.bearer, true),
    cookie: resolveCookie(options.cookie),
    ipBinding: bool('ipBinding', options.ipBinding, false),
    userAgentBinding: bool('userAgentBinding', options.userAgentBinding, false),
    keyPrefix,
    backend: options.backend,
    backendTimeoutMs,
  };
}

function resolveCookie(cookie: SessionModuleOptions['cookie']): ResolvedCookieOptions | false {
  if (cookie === undefined || cookie === false) return false;
  if (cookie === null || typeof cookie !== 'object') {
    fail('cookie', 'must be false or an object of cookie options');
  }
  const name = cookie.name ?? 'session';
  if (typeof name !== 'string' || !TOKEN_CHARS.test(name)) {
    fail('cookie.name', `must be a valid cookie name (got ${JSON.stringify(cookie.name)})`);
  }
  const path = cookie.path ?? '/';
  if (typeof path !== 'string' || !ATTRIBUTE_CHARS.test(path)) {
    fail(
      'cookie.path',
      `must be a path without ';' or control characters (got ${JSON.stringify(cookie.path)})`,
    );
  }
  if (
    cookie.domain !== undefined &&
    (typeof cookie.domain !== 'string' || !ATTRIBUTE_CHARS.test(cookie.domain))
  ) {
    fail(
      'cookie.domain',
      `must be a domain without ';' or control characters (got ${JSON.stringify(cookie.domain)})`,
    );
  }
  const sameSite = cookie.sameSite ?? 'lax';
  if (sameSite !== 'strict' && sameSite !== 'lax' && sameSite !== 'none') {
    fail(
      'cookie.sameSite',
      `must be 'strict', 'lax' or 'none' (got ${JSON.stringify(cookie.sameSite)})`,
    );
  }
  const secure = bool('cookie.secure', cookie.secure, false);
  if (sameSite === 'none' && !secure) {
    fail(
      'cookie.sameSite',
      "'none' requires cookie.secure: true (browsers drop SameSite=None cookies without Secure)",
    );
  }
  const maxAge = positiveSeconds('cookie.maxAge', cookie.maxAge);
  return {
    name,
    path,
    domain: cookie.domain,
    sameSite,
    secure,
    httpOnly: bool('cookie.httpOnly', cookie.httpOnly, true),
    maxAge,
  };
}
