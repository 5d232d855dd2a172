import { CacheXConfigError } from '../common/errors.js';
import { resolveSessionOptions, type SessionModuleOptions } from './session-options.js';

const SECRET = 's'.repeat(32);

function configError(options: Partial<SessionModuleOptions> | undefined): CacheXConfigError {
  try {
    resolveSessionOptions(options as SessionModuleOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(CacheXConfigError);
    expect((error as CacheXConfigError).code).toBe('CACHEX_CONFIG');
    return error as CacheXConfigError;
  }
  throw new Error('expected a CacheXConfigError');
}

describe('resolveSessionOptions', () => {
  it('applies the documented defaults', () => {
    const resolved = resolveSessionOptions({ secret: SECRET });
    expect(resolved).toEqual({
      secrets: [SECRET],
      ttl: 3600,
      slidingExpiration: true,
      slidingThreshold: 0.5,
      absoluteTimeout: undefined,
      tokenFormat: 'simple',
      jwt: { algorithm: 'HS256', leeway: 0, issuer: undefined, audience: undefined },
      headerName: 'x-session-token',
      bearer: true,
      cookie: false,
      ipBinding: false,
      userAgentBinding: false,
      keyPrefix: 'session:',
      backend: undefined,
      backendTimeoutMs: 1000,
    });
  });

  it('fills the cookie defaults when cookie transport is on', () => {
    expect(resolveSessionOptions({ secret: SECRET, cookie: {} }).cookie).toEqual({
      name: 'session',
      path: '/',
      domain: undefined,
      sameSite: 'lax',
      secure: false,
      httpOnly: true,
      maxAge: undefined,
    });
  });

  it('lower-cases the header name and keeps a list of secrets in order', () => {
    const resolved = resolveSessionOptions({
      secret: [SECRET, 't'.repeat(40)],
      headerName: 'X-Auth-Session',
    });
    expect(resolved.headerName).toBe('x-auth-session');
    expect(resolved.secrets).toEqual([SECRET, 't'.repeat(40)]);
  });

  it.each([
    [undefined, /SessionModule needs options/],
    [{}, /`secret` is required/],
    [{ secret: [] }, /`secret` is required/],
    [{ secret: 'short' }, /`secret` must be a string of at least 32 characters \(got 5\)/],
    [{ secret: [SECRET, 'x'.repeat(31)] }, /`secret\[1\]` must be a string of at least 32/],
    [{ secret: SECRET, ttl: 0 }, /`ttl` must be a number of seconds greater than 0/],
    [{ secret: SECRET, ttl: -5 }, /`ttl`/],
    [{ secret: SECRET, ttl: Number.NaN }, /`ttl`/],
    [{ secret: SECRET, absoluteTimeout: 0 }, /`absoluteTimeout`/],
    [{ secret: SECRET, slidingThreshold: 1.5 }, /`slidingThreshold` must be a number from 0 to 1/],
    [{ secret: SECRET, slidingThreshold: -0.1 }, /`slidingThreshold`/],
    [
      { secret: SECRET, tokenFormat: 'paseto' },
      /`tokenFormat` must be 'simple' or 'jwt' \(got "paseto"\)/,
    ],
    [
      { secret: SECRET, jwt: { algorithm: 'none' } },
      /`jwt.algorithm` must be one of HS256, HS384, HS512/,
    ],
    [{ secret: SECRET, jwt: { algorithm: 'RS256' } }, /`jwt.algorithm`/],
    [{ secret: SECRET, jwt: { leeway: -1 } }, /`jwt.leeway`/],
    [{ secret: SECRET, jwt: { issuer: '' } }, /`jwt.issuer`/],
    [{ secret: SECRET, jwt: { audience: [] } }, /`jwt.audience`/],
    [{ secret: SECRET, headerName: 'bad header' }, /`headerName` must be a valid HTTP header name/],
    [{ secret: SECRET, headerName: 'Authorization' }, /`headerName` cannot be authorization/],
    [{ secret: SECRET, keyPrefix: '' }, /`keyPrefix`/],
    [{ secret: SECRET, backendTimeoutMs: 0 }, /`backendTimeoutMs`/],
    [{ secret: SECRET, bearer: 'yes' }, /`bearer` must be true or false/],
    [{ secret: SECRET, cookie: { name: 'a;b' } }, /`cookie.name`/],
    [{ secret: SECRET, cookie: { path: '/a;b' } }, /`cookie.path`/],
    [{ secret: SECRET, cookie: { domain: 'x\r\n' } }, /`cookie.domain`/],
    [
      { secret: SECRET, cookie: { sameSite: 'sometimes' } },
      /`cookie.sameSite` must be 'strict', 'lax' or 'none'/,
    ],
    [
      { secret: SECRET, cookie: { sameSite: 'none' } },
      /`cookie.sameSite` 'none' requires cookie.secure: true/,
    ],
    [{ secret: SECRET, cookie: { maxAge: 0 } }, /`cookie.maxAge`/],
  ])('rejects %j naming the option', (options, message) => {
    expect(configError(options as Partial<SessionModuleOptions>).message).toMatch(message);
  });

  it('accepts the edges of the ranges', () => {
    expect(resolveSessionOptions({ secret: SECRET, slidingThreshold: 0 }).slidingThreshold).toBe(0);
    expect(resolveSessionOptions({ secret: SECRET, slidingThreshold: 1 }).slidingThreshold).toBe(1);
    expect(resolveSessionOptions({ secret: 'x'.repeat(32) }).secrets).toHaveLength(1);
    expect(
      resolveSessionOptions({ secret: SECRET, cookie: { sameSite: 'none', secure: true } }).cookie,
    ).toMatchObject({ sameSite: 'none', secure: true });
  });
});
