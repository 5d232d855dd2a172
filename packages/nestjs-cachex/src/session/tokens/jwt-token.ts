import { createSecretKey, type KeyObject } from 'node:crypto';
import { type Clock, systemClock } from '../../common/clock.js';
import { CacheXConfigError } from '../../common/errors.js';
import { type ResolvedSessionOptions } from '../session-options.js';
import { SessionExpiredError, SessionInvalidError } from '../session.errors.js';
import {
  MAX_TOKEN_LENGTH,
  SESSION_ID_PATTERN,
  type SessionTokenCodec,
  type VerifiedToken,
} from './session-token.js';

/**
 * The little of `@nestjs/jwt`'s `JwtService` used here, typed locally so that
 * nothing of this package (not even its `.d.ts`) needs `@nestjs/jwt` unless
 * `tokenFormat: 'jwt'` is chosen.
 */
export interface JwtServiceLike {
  signAsync(payload: object, options: Record<string, unknown>): Promise<string>;
  verifyAsync(token: string, options: Record<string, unknown>): Promise<object>;
}

interface JwtModuleLike {
  JwtService: new (options?: object) => JwtServiceLike;
}

/**
 * Imports `@nestjs/jwt` on demand. Its absence is a configuration error naming
 * the package, raised at start-up, never a crash on the first request.
 */
export async function loadJwtService(specifier = '@nestjs/jwt'): Promise<JwtServiceLike> {
  // A variable specifier keeps bundlers and type-only consumers from requiring the package.
  let mod: JwtModuleLike;
  try {
    mod = (await import(specifier)) as JwtModuleLike;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new CacheXConfigError(
        `SessionModule option \`tokenFormat: 'jwt'\` needs the optional peer dependency ${specifier}: run \`npm install ${specifier}\`, or use tokenFormat 'simple'`,
      );
    }
    throw error;
  }
  return new mod.JwtService({});
}

interface SessionJwtPayload {
  sid?: unknown;
  iat?: unknown;
  exp?: unknown;
}

/**
 * The `jwt` token format, through `@nestjs/jwt`: claims `sid`, `iat`, `exp`
 * (and `iss` / `aud` when configured), an HMAC algorithm (HS256 by default)
 * pinned on verification so `alg: none` and algorithm swaps are refused,
 * signed with the first secret and verified with each (key rotation).
 */
export class JwtTokenCodec implements SessionTokenCodec {
  /**
   * The secrets as `KeyObject`s, made once: given a string, jsonwebtoken
   * first tries it as a public key (which throws) on every verify, about 30
   * times the cost of the HMAC itself.
   */
  private readonly keys: KeyObject[];

  constructor(
    private readonly jwt: JwtServiceLike,
    secrets: string[],
    private readonly options: ResolvedSessionOptions['jwt'],
    private readonly clock: Clock = systemClock,
  ) {
    this.keys = secrets.map((secret) => createSecretKey(Buffer.from(secret, 'utf8')));
  }

  async sign(id: string, expiresAt: number): Promise<string> {
    const options: Record<string, unknown> = {
      secret: this.keys[0],
      algorithm: this.options.algorithm,
    };
    if (this.options.issuer !== undefined) options.issuer = this.options.issuer;
    if (this.options.audience !== undefined) options.audience = this.options.audience;
    // `iat` and the checks of `exp` on the session clock, not jsonwebtoken's own.
    const iat = Math.floor(this.clock.now() / 1000);
    return this.jwt.signAsync({ sid: id, iat, exp: Math.ceil(expiresAt / 1000) }, options);
  }

  async verify(token: string): Promise<VerifiedToken> {
    if (token.length > MAX_TOKEN_LENGTH || token.split('.').length !== 3) {
      throw new SessionInvalidError('malformed JWT');
    }
    const options: Record<string, unknown> = {
      algorithms: [this.options.algorithm],
      clockTolerance: this.options.leeway,
      clockTimestamp: Math.floor(this.clock.now() / 1000),
    };
    if (this.options.issuer !== undefined) options.issuer = this.options.issuer;
    if (this.options.audience !== undefined) options.audience = this.options.audience;

    let payload: SessionJwtPayload | undefined;
    let failure = 'invalid signature';
    for (const secret of this.keys) {
      try {
        payload = (await this.jwt.verifyAsync(token, { ...options, secret })) as SessionJwtPayload;
        break;
      } catch (error) {
        const { name, message } = error as { name?: string; message?: string };
        if (name === 'TokenExpiredError') throw new SessionExpiredError('JWT past its exp');
        failure = message ?? String(error);
        // Only a signature mismatch may be rescued by an older secret.
        if (failure !== 'invalid signature') break;
      }
    }
    if (payload === undefined) throw new SessionInvalidError(`JWT rejected: ${failure}`);
    if (typeof payload.sid !== 'string' || !SESSION_ID_PATTERN.test(payload.sid)) {
      throw new SessionInvalidError('JWT without a valid sid claim');
    }
    if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number') {
      throw new SessionInvalidError('JWT without exp or iat');
    }
    return { id: payload.sid, expiresAt: payload.exp * 1000 };
  }
}
