import { LRUCache } from 'lru-cache';

import { type Clock, systemClock } from '../../common/clock.js';
import { SessionExpiredError } from '../session.errors.js';
import { type SessionTokenCodec, type VerifiedToken } from './session-token.js';

/** Most tokens remembered, and most characters of them in all. */
const MAX_TOKENS = 10_000;
const MAX_TOKEN_CHARS = 2 * 1024 * 1024;

/**
 * A codec that remembers the tokens it verified, so a client's next request
 * with the same token costs a lookup instead of an HMAC or a JWT signature
 * check. Only tokens that verified are kept (a bounded LRU): a forged token
 * is checked, and refused, every time. A remembered token is refused once
 * past its expiry, as the codec would refuse it (`graceMs`: the JWT leeway).
 * The session itself is still read on every request, so revocation is
 * unaffected.
 */
export class VerifiedTokens implements SessionTokenCodec {
  private readonly verified = new LRUCache<string, VerifiedToken>({
    max: MAX_TOKENS,
    maxSize: MAX_TOKEN_CHARS,
    sizeCalculation: (_value, token) => token.length,
  });

  constructor(
    private readonly codec: SessionTokenCodec,
    private readonly graceMs = 0,
    private readonly clock: Clock = systemClock,
  ) {}

  sign(id: string, expiresAt: number): Promise<string> {
    return this.codec.sign(id, expiresAt);
  }

  async verify(token: string): Promise<VerifiedToken> {
    const known = this.verified.get(token);
    if (known === undefined) {
      const verified = await this.codec.verify(token);
      this.verified.set(token, verified);
      return verified;
    }
    if (this.clock.now() >= known.expiresAt + this.graceMs) {
      this.verified.delete(token);
      throw new SessionExpiredError('token past its exp');
    }
    return known;
  }
}
