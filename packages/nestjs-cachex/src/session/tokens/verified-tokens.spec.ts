import { SessionExpiredError, SessionInvalidError } from '../session.errors.js';
import { type SessionTokenCodec, type VerifiedToken } from './session-token.js';
import { newSessionId, SimpleTokenCodec } from './simple-token.js';
import { VerifiedTokens } from './verified-tokens.js';

const SECRET = 's'.repeat(32);

/** The simple codec, counting the verifications it really makes. */
function countingCodec(): SessionTokenCodec & { verifications: number } {
  const codec = new SimpleTokenCodec([SECRET]);
  const counting = {
    verifications: 0,
    sign: (id: string, expiresAt: number) => codec.sign(id, expiresAt),
    verify: (token: string): Promise<VerifiedToken> => {
      counting.verifications++;
      return codec.verify(token);
    },
  };
  return counting;
}

describe('VerifiedTokens', () => {
  const id = newSessionId();

  it('verifies a token once, then answers it from memory', async () => {
    const codec = countingCodec();
    const tokens = new VerifiedTokens(codec);
    const expiresAt = Date.now() + 60_000;
    const token = await tokens.sign(id, expiresAt);
    for (let i = 0; i < 3; i++)
      await expect(tokens.verify(token)).resolves.toEqual({ id, expiresAt });
    expect(codec.verifications).toBe(1);
  });

  it('checks a forged token every time, and refuses it every time', async () => {
    const codec = countingCodec();
    const tokens = new VerifiedTokens(codec);
    const forged = await new SimpleTokenCodec(['f'.repeat(32)]).sign(id, Date.now() + 60_000);
    for (let i = 0; i < 3; i++) {
      await expect(tokens.verify(forged)).rejects.toBeInstanceOf(SessionInvalidError);
    }
    expect(codec.verifications).toBe(3);
  });

  it('refuses a remembered token once past its expiry (plus the grace), as the codec would', async () => {
    let now = Date.now();
    const expiresAt = now + 1_000;
    const tokens = new VerifiedTokens(countingCodec(), 500, { now: () => now });
    const token = await tokens.sign(id, expiresAt);
    await tokens.verify(token);
    now = expiresAt + 499;
    await expect(tokens.verify(token)).resolves.toEqual({ id, expiresAt });
    now = expiresAt + 500;
    await expect(tokens.verify(token)).rejects.toBeInstanceOf(SessionExpiredError);
  });
});
