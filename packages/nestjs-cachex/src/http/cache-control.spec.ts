import { buildCacheControl, forbidsSharedStorage } from './cache-control.js';

describe('buildCacheControl', () => {
  it('writes every directive in the contract order', () => {
    expect(
      buildCacheControl({
        staleIfError: 6,
        staleWhileRevalidate: 5,
        immutable: true,
        noTransform: true,
        proxyRevalidate: true,
        mustRevalidate: true,
        sMaxAge: 4,
        maxAge: 3,
        noStore: true,
        noCache: true,
        public: true,
      }),
    ).toBe(
      'public, no-cache, no-store, max-age=3, s-maxage=4, must-revalidate, proxy-revalidate, no-transform, immutable, stale-while-revalidate=5, stale-if-error=6',
    );
  });

  it.each([
    [{ maxAge: 60 }, 'max-age=60'],
    [{ private: true, maxAge: 0 }, 'private, max-age=0'],
    [{ noCache: true, noStore: true }, 'no-cache, no-store'],
    [{}, ''],
  ])('%j gives %s', (directives, header) => {
    expect(buildCacheControl(directives)).toBe(header);
  });
});

describe('forbidsSharedStorage', () => {
  it.each([
    ['no-store', false, true],
    ['Max-Age=5, NO-STORE', false, true],
    ['private, max-age=5', false, true],
    ['private, max-age=5', true, false],
    ['public, max-age=5', false, false],
    ['', false, false],
  ])('%s (private route: %s) forbids: %s', (header, isPrivate, forbids) => {
    expect(forbidsSharedStorage(header, isPrivate)).toBe(forbids);
  });
});
