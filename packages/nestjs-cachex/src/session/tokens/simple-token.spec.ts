import { createHmac } from 'node:crypto';

import { SessionExpiredError, SessionInvalidError } from '../session.errors.js';
import { newSessionId, SimpleTokenCodec } from './simple-token.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

describe('newSessionId', () => {
  it('is 256 random bits in base64url, never repeated', () => {
    const ids = new Set(Array.from({ length: 10_000 }, newSessionId));
    expect(ids.size).toBe(10_000);
    for (const id of [...ids].slice(0, 100)) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(32);
    }
  });
});

describe('SimpleTokenCodec', () => {
  const codec = new SimpleTokenCodec([A, B]);
  const id = newSessionId();
  const expiresAt = Date.now() + 60_000;

  it('signs id and expiry with the first secret and verifies them', async () => {
    const token = await codec.sign(id, expiresAt);
    const [tokenId, exp, signature] = token.split('.');
    expect(tokenId).toBe(id);
    expect(Number(exp)).toBe(expiresAt);
    expect(signature).toBe(
      createHmac('sha256', A).update(`${id}.${expiresAt}`).digest('base64url'),
    );
    await expect(codec.verify(token)).resolves.toEqual({ id, expiresAt });
  });

  it('verifies with every secret of the list (rotation), and no other', async () => {
    const signedByB = await new SimpleTokenCodec([B]).sign(id, expiresAt);
    await expect(codec.verify(signedByB)).resolves.toEqual({ id, expiresAt });
    const signedByC = await new SimpleTokenCodec(['c'.repeat(32)]).sign(id, expiresAt);
    await expect(codec.verify(signedByC)).rejects.toBeInstanceOf(SessionInvalidError);
  });

  it('rejects malformed, truncated and tampered tokens', async () => {
    const token = await codec.sign(id, expiresAt);
    const [, exp, signature] = token.split('.') as [string, string, string];
    const otherId = newSessionId();
    // The last base64url character carries 2 unused bits: another spelling of the same bytes.
    const last = signature.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBytes = alphabet[(alphabet.indexOf(last) & ~3) | ((alphabet.indexOf(last) + 1) & 3)]!;
    for (const bad of [
      '',
      'garbage',
      token.slice(0, -1),
      `${token}x`,
      `${otherId}.${exp}.${signature}`,
      `${id}.${Number(exp) + 1}.${signature}`,
      `${id}.${exp}.${signature.slice(0, -1)}${sameBytes}`,
      `${id}.0${exp}.${signature}`,
      token.replace(/\./g, ':'),
    ]) {
      await expect(codec.verify(bad)).rejects.toBeInstanceOf(SessionInvalidError);
    }
  });

  it('rejects a well-signed token past its expiry', async () => {
    const token = await codec.sign(id, Date.now() - 1);
    await expect(codec.verify(token)).rejects.toBeInstanceOf(SessionExpiredError);
  });
});
