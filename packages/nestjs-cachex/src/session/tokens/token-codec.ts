import { type Clock } from '../../common/clock.js';
import { type ResolvedSessionOptions } from '../session-options.js';
import { JwtTokenCodec, loadJwtService } from './jwt-token.js';
import { type SessionTokenCodec } from './session-token.js';
import { SimpleTokenCodec } from './simple-token.js';
import { VerifiedTokens } from './verified-tokens.js';

type CodecOptions = Pick<ResolvedSessionOptions, 'tokenFormat' | 'secrets' | 'jwt'>;

/**
 * The token codec the options ask for, remembering the tokens it verified,
 * its expiry checks on `clock`:
 * `simple` at once, `jwt` once `@nestjs/jwt` is imported (a
 * `CacheXConfigError` when it is not installed).
 */
export async function createTokenCodec(
  options: CodecOptions,
  clock: Clock,
): Promise<SessionTokenCodec> {
  if (options.tokenFormat === 'simple') {
    return new VerifiedTokens(new SimpleTokenCodec(options.secrets, clock), 0, clock);
  }
  const jwt = await loadJwtService();
  return new VerifiedTokens(
    new JwtTokenCodec(jwt, options.secrets, options.jwt, clock),
    options.jwt.leeway * 1000,
    clock,
  );
}
