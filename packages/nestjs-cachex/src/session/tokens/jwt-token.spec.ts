import { CacheXConfigError } from '../../common/errors.js';
import { resolveSessionOptions } from '../session-options.js';
import { SessionExpiredError, SessionInvalidError } from '../session.errors.js';
import { JwtTokenCodec, loadJwtService } from './jwt-token.js';
import { newSessionId } from './simple-token.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

describe('loadJwtService', () => {
  it('loads @nestjs/jwt on demand', async () => {
    const jwt = await loadJwtService();
    expect(typeof jwt.signAsync).toBe('function');
  });

  it('names the missing package in a CacheXConfigError', async () => {
    const failure = loadJwtService('@nestjs/jwt-not-installed-here');
    await expect(failure).rejects.toBeInstanceOf(CacheXConfigError);
    await expect(failure).rejects.toThrow(/@nestjs\/jwt-not-installed-here.*npm install/);
  });
});

describe('JwtTokenCodec', () => {
  const options = (jwt = {}) =>
    resolveSessionOptions({ secret: [A, B], tokenFormat: 'jwt', jwt }).jwt;
  const id = newSessionId();

  it('signs sid/iat/exp (+iss/aud) with the first secret and verifies with each', async () => {
    const jwt = await loadJwtService();
    const codec = new JwtTokenCodec(
      jwt,
      [A, B],
      options({ issuer: 'me', audience: ['you', 'them'] }),
    );
    const expiresAt = Date.now() + 60_000;
    const token = await codec.sign(id, expiresAt);
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(payload).toEqual({
      sid: id,
      iat: expect.any(Number),
      exp: Math.ceil(expiresAt / 1000),
      iss: 'me',
      aud: ['you', 'them'],
    });
    await expect(codec.verify(token)).resolves.toEqual({
      id,
      expiresAt: Math.ceil(expiresAt / 1000) * 1000,
    });

    const rotated = new JwtTokenCodec(jwt, [B, A], options({ issuer: 'me', audience: 'you' }));
    await expect(rotated.verify(token)).resolves.toMatchObject({ id });
  });

  it('pins the algorithm and tolerates the configured leeway only', async () => {
    const jwt = await loadJwtService();
    const hs512 = new JwtTokenCodec(jwt, [A], options({ algorithm: 'HS512' }));
    const hs256 = new JwtTokenCodec(jwt, [A], options());
    const token512 = await hs512.sign(id, Date.now() + 60_000);
    await expect(hs512.verify(token512)).resolves.toMatchObject({ id });
    await expect(hs256.verify(token512)).rejects.toBeInstanceOf(SessionInvalidError);

    const justExpired = await jwt.signAsync(
      { sid: id, exp: Math.floor(Date.now() / 1000) - 2 },
      { secret: A },
    );
    await expect(hs256.verify(justExpired)).rejects.toBeInstanceOf(SessionExpiredError);
    const lenient = new JwtTokenCodec(jwt, [A], options({ leeway: 30 }));
    await expect(lenient.verify(justExpired)).resolves.toMatchObject({ id });
  });

  it('refuses oversized and non-JWT input before verifying', async () => {
    const codec = new JwtTokenCodec(await loadJwtService(), [A], options());
    await expect(codec.verify('x'.repeat(5000))).rejects.toBeInstanceOf(SessionInvalidError);
    await expect(codec.verify('only.two')).rejects.toBeInstanceOf(SessionInvalidError);
  });
});
