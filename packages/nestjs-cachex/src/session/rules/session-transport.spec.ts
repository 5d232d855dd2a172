import { type HttpRequestLike } from '../../http/request.js';
import { resolveSessionOptions } from '../session-options.js';
import { parseCookies } from '../../http/cookie.js';
import { nodeHeaderWriter, readToken, serializeCookie } from './session-transport.js';

const options = resolveSessionOptions({ secret: 's'.repeat(32), cookie: { name: 'sid' } });
const req = (headers: Record<string, string | string[]>): HttpRequestLike => ({ headers });

describe('readToken', () => {
  it('reads the header first, then the bearer token, then the cookie', () => {
    const all = { 'x-session-token': 'h', authorization: 'Bearer b', cookie: 'sid=c' };
    expect(readToken(req(all), options)).toEqual({ token: 'h', source: 'header' });
    expect(readToken(req({ authorization: 'Bearer b', cookie: 'sid=c' }), options)).toEqual({
      token: 'b',
      source: 'bearer',
    });
    expect(readToken(req({ cookie: 'a=1; sid=c' }), options)).toEqual({
      token: 'c',
      source: 'cookie',
    });
    expect(readToken(req({}), options)).toBeUndefined();
  });

  it('treats a present but empty source as that source (no fall-through)', () => {
    expect(readToken(req({ 'x-session-token': '', cookie: 'sid=c' }), options)).toEqual({
      token: '',
      source: 'header',
    });
    expect(readToken(req({ authorization: 'Bearer', cookie: 'sid=c' }), options)).toEqual({
      token: '',
      source: 'bearer',
    });
  });

  it('ignores other Authorization schemes, disabled bearer and disabled cookies', () => {
    expect(readToken(req({ authorization: 'Basic abc', cookie: 'sid=c' }), options)?.source).toBe(
      'cookie',
    );
    const noBearer = resolveSessionOptions({ secret: 's'.repeat(32), bearer: false });
    expect(
      readToken(req({ authorization: 'Bearer b', cookie: 'session=c' }), noBearer),
    ).toBeUndefined();
    expect(readToken(req({ authorization: 'bearer   b  ' }), options)).toEqual({
      token: 'b',
      source: 'bearer',
    });
  });
});

describe('parseCookies', () => {
  it('splits pairs, trims, unquotes, decodes, and keeps the first of a name', () => {
    const cookies = parseCookies(' a=1; b="two"; c=%20x%20; a=ignored; broken; d=; e=%E0%A4%A');
    expect([...cookies]).toEqual([
      ['a', '1'],
      ['b', 'two'],
      ['c', ' x '],
      ['d', ''],
      ['e', '%E0%A4%A'],
    ]);
  });
});

describe('serializeCookie', () => {
  const cookie = options.cookie as Exclude<typeof options.cookie, false>;

  it('writes the attributes in a fixed order', () => {
    expect(serializeCookie('tok.en', cookie, 60)).toMatch(
      /^sid=tok\.en; Path=\/; Max-Age=60; Expires=[A-Z][a-z]{2}, .+ GMT; HttpOnly; SameSite=Lax$/,
    );
    expect(
      serializeCookie(
        'v',
        { ...cookie, domain: 'example.com', secure: true, httpOnly: false, sameSite: 'strict' },
        1,
      ),
    ).toMatch(
      /^sid=v; Path=\/; Domain=example\.com; Max-Age=1; Expires=.+; Secure; SameSite=Strict$/,
    );
  });

  it('clears with Max-Age=0 and an Expires in the past', () => {
    expect(serializeCookie('', cookie, 0)).toBe(
      'sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax',
    );
  });
});

describe('nodeHeaderWriter', () => {
  it('sets and appends through the Node response API', () => {
    const headers = new Map<string, string | string[]>();
    const res = {
      setHeader: (name: string, value: string | string[]) => headers.set(name, value),
      getHeader: (name: string) => headers.get(name),
    };
    nodeHeaderWriter.setHeader(res, 'x-session-token', 't');
    nodeHeaderWriter.appendHeader(res, 'Set-Cookie', 'a=1');
    nodeHeaderWriter.appendHeader(res, 'Set-Cookie', 'b=2');
    expect(headers.get('x-session-token')).toBe('t');
    expect(headers.get('Set-Cookie')).toEqual(['a=1', 'b=2']);
  });
});
