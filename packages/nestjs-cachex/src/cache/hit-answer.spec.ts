import { type CacheEntry } from '../backends/cache-entry.js';
import { hitAnswer } from './hit-answer.js';
import { resolveRoutePolicy } from './route-policy.js';
import { defaultKeyBuilder } from '../http/cache-key.js';
import { resolveModuleOptions } from './cache-module.options.js';

const policy = resolveRoutePolicy(
  { ttl: 60, public: true },
  resolveModuleOptions({}),
  defaultKeyBuilder,
);
const entry: CacheEntry = {
  status: 200,
  headers: {
    'content-type': 'application/json; charset=utf-8',
    etag: '"5-abc"',
    'last-modified': 'Wed, 25 Nov 2026 10:00:00 GMT',
    vary: 'accept-language',
    'x-handler': 'kept',
  },
  body: Buffer.from('hello'),
  storedAt: 1_000_000,
  maxAge: 60,
  tags: ['products', 'product:1'],
};
const request = (headers: Record<string, string> = {}) => ({ method: 'GET', headers });
const hit = { kind: 'hit', ttl: 50 } as const;
/** Ten seconds after the entry was stored. */
const NOW = 1_000_000 + 10_000;

describe('hitAnswer', () => {
  it('sends the stored status, headers and bytes with Cache-Control, Age and Cache-Status', () => {
    const answer = hitAnswer(request(), policy, entry, hit, false, 1_000_000 + 10_500);
    expect(answer).toEqual({
      status: 200,
      headers: {
        ...entry.headers,
        'Cache-Control': 'public, max-age=60',
        Age: '10',
        'Cache-Status': 'cachex; hit; ttl=50',
      },
      body: entry.body,
    });
  });

  it('answers matching validators with a 304 carrying only validators, Vary and cache headers', () => {
    const answer = hitAnswer(
      request({ 'if-none-match': 'W/"5-abc"' }),
      policy,
      entry,
      hit,
      false,
      NOW,
    );
    expect(answer.status).toBe(304);
    expect('body' in answer).toBe(false);
    expect(Object.keys(answer.headers)).toEqual([
      'etag',
      'last-modified',
      'vary',
      'Cache-Control',
      'Age',
      'Cache-Status',
    ]);
  });

  it('never answers a non-2xx entry with a 304', () => {
    const notFound = { ...entry, status: 404 };
    const answer = hitAnswer(request({ 'if-none-match': '*' }), policy, notFound, hit, false, NOW);
    expect(answer.status).toBe(404);
  });

  it('lists the tags in Surrogate-Key when asked, and never changes the stored headers', () => {
    const before = { ...entry.headers };
    const answer = hitAnswer(request(), policy, entry, hit, true, NOW);
    expect(answer.headers['Surrogate-Key']).toBe('products product:1');
    answer.headers['content-length'] = '5';
    expect(entry.headers).toEqual(before);
  });

  it('counts Age from the store time, never below 0', () => {
    expect(hitAnswer(request(), policy, entry, hit, false, 999_000).headers['Age']).toBe('0');
  });

  describe('with compressed variants', () => {
    const encoded = { br: Buffer.from('br bytes'), gzip: Buffer.from('gzip bytes') };
    const compressed: CacheEntry = { ...entry, encoded };
    const ask = (headers: Record<string, string>) =>
      hitAnswer(request(headers), policy, compressed, hit, false, NOW);

    it('answers the best coding allowed, with its own ETag and Vary: Accept-Encoding', () => {
      const answer = ask({ 'accept-encoding': 'gzip, deflate, br' });
      expect(answer).toMatchObject({ status: 200, body: encoded.br });
      expect(answer.headers).toMatchObject({
        'content-encoding': 'br',
        etag: '"5-abc-br"',
        vary: 'accept-language, accept-encoding',
        'content-type': entry.headers['content-type'],
      });
      expect(ask({ 'accept-encoding': 'gzip;q=1, br;q=0.1' })).toMatchObject({
        body: encoded.gzip,
        headers: { 'content-encoding': 'gzip', etag: '"5-abc-gzip"' },
      });
    });

    it('answers identity, still varying on Accept-Encoding, when no coding is allowed', () => {
      const headers: Array<Record<string, string>> = [
        {},
        { 'accept-encoding': 'identity' },
        { 'accept-encoding': 'br;q=0, gzip;q=0' },
      ];
      for (const header of headers) {
        const answer = ask(header);
        expect(answer).toMatchObject({ status: 200, body: entry.body });
        expect(answer.headers['content-encoding']).toBeUndefined();
        expect(answer.headers['etag']).toBe('"5-abc"');
        expect(answer.headers['vary']).toBe('accept-language, accept-encoding');
      }
    });

    it('matches If-None-Match within the coding: a 304 with the coding’s ETag and Vary', () => {
      const notModified = ask({ 'accept-encoding': 'br', 'if-none-match': '"5-abc-br"' });
      expect(notModified.status).toBe(304);
      expect(notModified.headers).toMatchObject({
        etag: '"5-abc-br"',
        vary: 'accept-language, accept-encoding',
      });
      expect(notModified.headers['content-encoding']).toBeUndefined();
      expect(ask({ 'accept-encoding': 'gzip', 'if-none-match': '"5-abc-br"' }).status).toBe(200);
      expect(ask({ 'if-none-match': '"5-abc-br"' }).status).toBe(200);
      expect(ask({ 'if-none-match': '"5-abc"' }).status).toBe(304);
      expect(ask({ 'accept-encoding': 'br', 'if-none-match': '"5-abc"' }).status).toBe(200);
    });

    it('never changes the stored headers', () => {
      const before = { ...compressed.headers };
      ask({ 'accept-encoding': 'br' });
      expect(compressed.headers).toEqual(before);
    });
  });
});
