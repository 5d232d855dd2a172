import { type CacheEntry } from '../backends/cache-entry.js';
import { defaultKeyBuilder } from '../http/cache-key.js';
import { type HttpRequestLike } from '../http/request.js';
import { resolveModuleOptions } from './cache-module.options.js';
import {
  entryAnswers,
  resolveRoutePolicy,
  resolveTags,
  storageKey,
  varyNames,
  varyValuesOf,
} from './route-policy.js';

const moduleOptions = resolveModuleOptions({});
const req = (headers: Record<string, string | string[]> = {}): HttpRequestLike => ({
  method: 'GET',
  url: '/products/7?page=2',
  headers: { host: 'shop.example', ...headers },
});
const entry = (overrides: Partial<CacheEntry> = {}): CacheEntry => ({
  status: 200,
  headers: {},
  body: Buffer.from('x'),
  storedAt: 0,
  maxAge: 60,
  ...overrides,
});

describe('resolveRoutePolicy', () => {
  it("fills every default from the module's options", () => {
    const policy = resolveRoutePolicy({}, moduleOptions, defaultKeyBuilder);
    expect(policy).toEqual({
      ttl: 60,
      staleWhileRevalidate: 0,
      staleIfError: 0,
      cacheControl: 'max-age=60',
      noStore: false,
      noCache: false,
      public: false,
      private: false,
      coalesce: true,
      statuses: [200],
      vary: [],
      tags: [],
      key: defaultKeyBuilder,
      defaultKey: true,
    });
  });

  it('builds CDN-Cache-Control from `cdn` apart from Cache-Control', () => {
    const policy = resolveRoutePolicy(
      { ttl: 10, cdn: { maxAge: 3600, staleWhileRevalidate: 60, staleIfError: 86400 } },
      moduleOptions,
      defaultKeyBuilder,
    );
    expect(policy.cacheControl).toBe('max-age=10');
    expect(policy.cdnCacheControl).toBe(
      'max-age=3600, stale-while-revalidate=60, stale-if-error=86400',
    );
  });

  it("takes the route's own values over the module's", () => {
    const key = () => 'k';
    const tags = ['products'];
    const policy = resolveRoutePolicy(
      {
        ttl: 30,
        staleWhileRevalidate: 15,
        staleIfError: 300,
        public: true,
        coalesce: false,
        statuses: [200, 203],
        vary: ['Accept-Language', 'X-Tenant'],
        tags,
        key,
      },
      resolveModuleOptions({ defaultTtl: 5, statuses: [200, 404] }),
      defaultKeyBuilder,
    );
    expect(policy).toMatchObject({
      ttl: 30,
      staleWhileRevalidate: 15,
      staleIfError: 300,
      cacheControl: 'public, max-age=30, stale-while-revalidate=15, stale-if-error=300',
      public: true,
      coalesce: false,
      statuses: [200, 203],
      vary: ['accept-language', 'x-tenant'],
      tags,
      key,
      defaultKey: false,
    });
  });

  it("uses the module's keyBuilder for routes without a key, and says the key is not the default", () => {
    const keyBuilder = () => 'module-key';
    const policy = resolveRoutePolicy({}, resolveModuleOptions({ keyBuilder }), defaultKeyBuilder);
    expect(policy.key).toBe(keyBuilder);
    expect(policy.defaultKey).toBe(false);
  });

  it('gives noStore and noCache routes no default ttl, and no max-age', () => {
    const noStore = resolveRoutePolicy({ noStore: true }, moduleOptions, defaultKeyBuilder);
    expect(noStore).toMatchObject({ ttl: 0, noStore: true, cacheControl: 'no-store' });
    const noCache = resolveRoutePolicy({ noCache: true }, moduleOptions, defaultKeyBuilder);
    expect(noCache).toMatchObject({ ttl: 0, noCache: true, cacheControl: 'no-cache' });
    // A ttl the route names is still sent.
    const both = resolveRoutePolicy({ noCache: true, ttl: 10 }, moduleOptions, defaultKeyBuilder);
    expect(both.cacheControl).toBe('no-cache, max-age=10');
  });

  it('sends private, and every directive the route names', () => {
    const policy = resolveRoutePolicy(
      {
        ttl: 60,
        private: true,
        sMaxAge: 120,
        mustRevalidate: true,
        proxyRevalidate: true,
        noTransform: true,
        immutable: true,
      },
      moduleOptions,
      defaultKeyBuilder,
    );
    expect(policy.private).toBe(true);
    expect(policy.cacheControl).toBe(
      'private, max-age=60, s-maxage=120, must-revalidate, proxy-revalidate, no-transform, immutable',
    );
  });
});

describe('storageKey', () => {
  const logical = 'GET|||http://shop.example|||/products/7|||page=2';

  it('is the logical key when the route varies on nothing and the entry is shared', () => {
    expect(storageKey(logical, req(), [])).toBe(logical);
  });

  it("adds the values of the request headers it varies on, escaped, in the route's order", () => {
    const request = req({ 'accept-language': 'fr, en;q=0.5', 'x-tenant': 'a&b=c' });
    expect(storageKey(logical, request, ['accept-language', 'x-tenant'])).toBe(
      `${logical}|||vary:accept-language=fr%2C%20en%3Bq%3D0.5&x-tenant=a%26b%3Dc`,
    );
    // An absent header and an empty one are the same request for the entry.
    expect(storageKey(logical, req(), ['x-tenant'])).toBe(`${logical}|||vary:x-tenant=`);
    expect(storageKey(logical, req({ 'x-tenant': '' }), ['x-tenant'])).toBe(
      `${logical}|||vary:x-tenant=`,
    );
  });

  it("ends a private entry's key with the identity it belongs to", () => {
    expect(storageKey(logical, req({ 'x-tenant': 't' }), ['x-tenant'], 'hmac:abc')).toBe(
      `${logical}|||vary:x-tenant=t|||user:hmac:abc`,
    );
    expect(storageKey(logical, req(), [], 'session:s1')).not.toBe(
      storageKey(logical, req(), [], 'session:s2'),
    );
  });

  it('keeps values that would spell a separator apart', () => {
    const a = storageKey(logical, req({ 'x-tenant': 'a|||user:bob' }), ['x-tenant']);
    const b = storageKey(logical, req({ 'x-tenant': 'a' }), ['x-tenant'], 'bob');
    expect(a).not.toBe(b);
    expect(a).not.toContain('|||user:');
  });
});

describe('varyNames', () => {
  it("merges the response's Vary with the route's, lower case, sorted, once each", () => {
    expect(varyNames('X-Tenant, accept-language ,, Accept', ['accept-language', 'cookie'])).toEqual(
      ['accept', 'accept-language', 'cookie', 'x-tenant'],
    );
  });

  it('is empty when neither names any', () => {
    expect(varyNames(undefined, [])).toEqual([]);
    expect(varyNames(' , ', [])).toEqual([]);
  });
});

describe('varyValuesOf', () => {
  it('records each header as the request sent it, absent ones as empty', () => {
    const request = req({ 'accept-language': 'fr', accept: ['text/html', 'application/json'] });
    expect(varyValuesOf(['accept', 'accept-language', 'x-tenant'], request)).toEqual({
      accept: 'text/html, application/json',
      'accept-language': 'fr',
      'x-tenant': '',
    });
  });
});

describe('entryAnswers', () => {
  it('answers any request when the entry varies on nothing', () => {
    expect(entryAnswers(entry(), req({ 'accept-language': 'de' }))).toBe(true);
  });

  it('answers only requests with the values the entry was stored for', () => {
    const french = entry({ varyValues: { 'accept-language': 'fr', 'x-tenant': '' } });
    expect(entryAnswers(french, req({ 'accept-language': 'fr' }))).toBe(true);
    expect(entryAnswers(french, req({ 'accept-language': 'fr', 'x-tenant': '' }))).toBe(true);
    expect(entryAnswers(french, req({ 'accept-language': 'en' }))).toBe(false);
    expect(entryAnswers(french, req({ 'accept-language': 'fr', 'x-tenant': 'a' }))).toBe(false);
    expect(entryAnswers(french, req())).toBe(false);
  });

  it('never answers with a Vary marker, which has no response', () => {
    expect(entryAnswers(entry({ body: Buffer.alloc(0), varyOn: ['x-tenant'] }), req())).toBe(false);
  });
});

describe('resolveTags', () => {
  it('resolves names and functions of the request and body, dropping empties and repeats', () => {
    const tags = resolveTags(
      [
        'products',
        (request) => `product:${request.url?.split('/')[2]?.split('?')[0]}`,
        (_request, body) => (body as { related: string[] }).related,
        () => '',
        'products',
      ],
      req(),
      { related: ['product:8', 'product:9', 'product:7'] },
    );
    expect(tags).toEqual(['products', 'product:7', 'product:8', 'product:9']);
  });

  it('ignores what a tag function returns that is not a string', () => {
    const sloppy = (() => [42, null, 'kept']) as unknown as () => string[];
    expect(resolveTags([sloppy], req(), undefined)).toEqual(['kept']);
  });
});
