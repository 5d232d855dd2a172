import { type ResolvedSessionOptions } from '../session-options.js';
import { JwtTokenCodec, loadJwtService } from './jwt-token.js';
import { type SessionTokenCodec } from './session-token.js';
import { SimpleTokenCodec } from './simple-token.js';
import { VerifiedTokens } from './verified-tokens.js';

type CodecOptions = Pick<ResolvedSessionOptions, 'tokenFormat' | 'secrets' | 'jwt'>;

/**
 * The token codec the options ask for, remembering the tokens it verified:
 * `simple` at once, `jwt` once `@nestjs/jwt` is imported (a
 * `CacheXConfigError` when it is not installed).
 */
export async function createTokenCodec(options: CodecOptions): Promise<SessionTokenCodec> {
  if (options.tokenFormat === 'simple') {
    return new VerifiedTokens(new SimpleTokenCodec(options.secrets));
  }
  const jwt = await loadJwtService();
  return new VerifiedTokens(
    new JwtTokenCodec(jwt, options.secrets, options.jwt),
    options.jwt.leeway * 1000,
  );
}
