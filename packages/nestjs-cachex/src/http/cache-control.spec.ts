import fc from 'fast-check';
import { hostileText } from '../../../../test/support/hostile-text.js';
import {
  buildCacheControl,
  type CacheControlDirectives,
  forbidsSharedStorage,
  forbidsTransform,
} from './cache-control.js';

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

describe('forbidsTransform', () => {
  it.each([
    ['public, max-age=60, no-transform', true],
    ['No-Transform', true],
    ['public, max-age=60', false],
    ['no-transformation', false],
    ['', false],
  ])('%j forbids transforms: %s', (header, forbids) => {
    expect(forbidsTransform(header)).toBe(forbids);
  });
});

/** Hostile text (see `hostileText`) with the characters and words that structure the header. */
const hostile = hostileText([',', '=', '"', ' ', '\t', ';', 'no-store', 'private', 'PRIVATE', 'x']);

describe('Cache-Control properties', () => {
  /** The directives in the contract's order, as `buildCacheControl` spells them. */
  const ORDER: Array<[keyof CacheControlDirectives, string]> = [
    ['public', 'public'],
    ['private', 'private'],
    ['noCache', 'no-cache'],
    ['noStore', 'no-store'],
    ['maxAge', 'max-age'],
    ['sMaxAge', 's-maxage'],
    ['mustRevalidate', 'must-revalidate'],
    ['proxyRevalidate', 'proxy-revalidate'],
    ['noTransform', 'no-transform'],
    ['immutable', 'immutable'],
    ['staleWhileRevalidate', 'stale-while-revalidate'],
    ['staleIfError', 'stale-if-error'],
  ];
  const flag = fc.option(fc.boolean(), { nil: undefined });
  const seconds = fc.option(fc.nat(), { nil: undefined });
  const directives: fc.Arbitrary<CacheControlDirectives> = fc.record(
    {
      public: flag,
      private: flag,
      noCache: flag,
      noStore: flag,
      maxAge: seconds,
      sMaxAge: seconds,
      mustRevalidate: flag,
      proxyRevalidate: flag,
      noTransform: flag,
      immutable: flag,
      staleWhileRevalidate: seconds,
      staleIfError: seconds,
    },
    { requiredKeys: [] },
  );

  it('writes each directive given exactly once, in the contract order, and nothing else', () => {
    fc.assert(
      fc.property(directives, (d) => {
        const header = buildCacheControl(d);
        const expected = ORDER.flatMap(([option, name]) => {
          const value = d[option];
          if (typeof value === 'number') return [`${name}=${value}`];
          return value ? [name] : [];
        });
        expect(header === '' ? [] : header.split(', ')).toEqual(expected);
      }),
    );
  });

  it('forbidsSharedStorage reads back what buildCacheControl wrote', () => {
    fc.assert(
      fc.property(directives, fc.boolean(), (d, routeIsPrivate) => {
        expect(forbidsSharedStorage(buildCacheControl(d), routeIsPrivate)).toBe(
          Boolean(d.noStore) || (Boolean(d.private) && !routeIsPrivate),
        );
      }),
    );
  });

  it('forbidsSharedStorage never throws, whatever the handler set', () => {
    fc.assert(
      fc.property(hostile, fc.boolean(), (header, routeIsPrivate) => {
        expect(typeof forbidsSharedStorage(header, routeIsPrivate)).toBe('boolean');
      }),
    );
  });

  /** Directives that never forbid storage, some with arguments. */
  const harmless = fc.oneof(
    fc.constantFrom(
      'public',
      'no-cache',
      'must-revalidate',
      'immutable',
      'x-no-store',
      'no-stored',
      'privately',
      'no_store',
    ),
    fc
      .tuple(fc.constantFrom('max-age', 's-maxage', 'stale-if-error'), fc.nat())
      .map(([name, value]) => `${name}=${value}`),
  );
  /** A directive name in any letter case, with optional whitespace around it. */
  const respelled = (name: string) =>
    fc
      .tuple(
        fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }),
        fc.stringMatching(/^[ \t]{0,2}$/),
        fc.stringMatching(/^[ \t]{0,2}$/),
        fc.constantFrom('', '=0', '="x"'),
      )
      .map(
        ([upper, before, after, argument]) =>
          before +
          [...name].map((char, i) => (upper[i] ? char.toUpperCase() : char)).join('') +
          argument +
          after,
      );

  it('forbidsSharedStorage finds no-store and private in any case, spacing and position', () => {
    fc.assert(
      fc.property(
        fc.array(harmless, { maxLength: 5 }),
        fc
          .constantFrom('no-store', 'private')
          .chain((name) => fc.tuple(fc.constant(name), respelled(name))),
        fc.nat(),
        fc.boolean(),
        (others, [name, directive], at, routeIsPrivate) => {
          const list = [...others];
          list.splice(at % (list.length + 1), 0, directive);
          expect(forbidsSharedStorage(list.join(','), routeIsPrivate)).toBe(
            name === 'no-store' || !routeIsPrivate,
          );
        },
      ),
    );
  });

  it('forbidsSharedStorage is not fooled by names that only contain no-store or private', () => {
    fc.assert(
      fc.property(fc.array(harmless, { maxLength: 6 }), (list) => {
        expect(forbidsSharedStorage(list.join(', '), false)).toBe(false);
      }),
    );
  });
});
