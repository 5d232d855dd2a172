import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { type Clock, systemClock } from '../../common/clock.js';
import { SessionExpiredError, SessionInvalidError } from '../session.errors.js';
import { type SessionTokenCodec, type VerifiedToken } from './session-token.js';

/** `<id>.<exp>.<signature>`: 43 base64url characters, decimal epoch ms, 43 base64url characters. */
const SIMPLE_TOKEN = /^([A-Za-z0-9_-]{43})\.([1-9][0-9]{0,14})\.([A-Za-z0-9_-]{43})$/;

/** A new session id: 256 bits from the CSPRNG, base64url. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The `simple` token format: `<session id>.<exp epoch ms>.<HMAC-SHA256 of both>`,
 * signed with the first secret and checked against each (key rotation) with
 * `crypto.timingSafeEqual`. The expiry inside the token lets sliding renewal
 * hand out a new token and lets expired tokens be refused before any lookup.
 */
export class SimpleTokenCodec implements SessionTokenCodec {
  private readonly keys: Buffer[];

  constructor(
    secrets: string[],
    private readonly clock: Clock = systemClock,
  ) {
    this.keys = secrets.map((secret) => Buffer.from(secret, 'utf8'));
  }

  async sign(id: string, expiresAt: number): Promise<string> {
    const payload = `${id}.${Math.ceil(expiresAt)}`;
    return `${payload}.${this.mac(this.keys[0]!, payload).toString('base64url')}`;
  }

  async verify(token: string): Promise<VerifiedToken> {
    const match = SIMPLE_TOKEN.exec(token);
    if (!match) throw new SessionInvalidError('malformed simple token');
    const [, id, exp, signature] = match as unknown as [string, string, string, string];
    // Compared as text: base64url has several spellings of the same bytes, only ours is accepted.
    const given = Buffer.from(signature, 'ascii');
    const payload = `${id}.${exp}`;
    // Every key is tried, whatever matched, so timing does not tell which one signed.
    let valid = false;
    for (const key of this.keys) {
      const expected = Buffer.from(this.mac(key, payload).toString('base64url'), 'ascii');
      if (given.length === expected.length && timingSafeEqual(given, expected)) valid = true;
    }
    if (!valid) throw new SessionInvalidError('bad simple token signature');
    const expiresAt = Number(exp);
    if (this.clock.now() >= expiresAt) throw new SessionExpiredError('simple token past its exp');
    return { id, expiresAt };
  }

  private mac(key: Buffer, payload: string): Buffer {
    return createHmac('sha256', key).update(payload).digest();
  }
}
