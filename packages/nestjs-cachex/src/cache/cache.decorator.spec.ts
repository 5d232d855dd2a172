import { CacheXConfigError } from '../common/errors.js';
import { Cache } from './cache.decorator.js';
import { type CacheOptions } from './cache.options.js';

function decorate(options: number | CacheOptions): void {
  class ProductsController {
    list() {}
  }
  Cache(options)(
    ProductsController.prototype,
    'list',
    Object.getOwnPropertyDescriptor(ProductsController.prototype, 'list')!,
  );
}

describe('@Cache() validation', () => {
  it.each<[string, number | CacheOptions, RegExp]>([
    ['public with private', { public: true, private: true }, /`public` and `private`/],
    ['noStore with ttl', { noStore: true, ttl: 5 }, /`noStore`.*`ttl`/],
    [
      'noStore with staleWhileRevalidate',
      { noStore: true, staleWhileRevalidate: 5 },
      /staleWhileRevalidate/,
    ],
    ['a negative ttl', -1, /`ttl` must be a whole number/],
    ['a fractional ttl', 1.5, /`ttl` must be a whole number/],
    ['a NaN sMaxAge', { sMaxAge: Number.NaN }, /`sMaxAge`/],
    ['an unknown option', { ttl: 5, maxAge: 5 } as CacheOptions, /unknown option `maxAge`/],
    ['a non-function key', { key: 'k' } as unknown as CacheOptions, /`key` must be a function/],
    ['an empty tag', { tags: [''] }, /`tags`/],
    ['vary *', { vary: ['*'] }, /vary: \["\*"\]/],
    ['a bad header name in vary', { vary: ['Accept Language'] }, /`vary` holds header names/],
    ['a bad status', { statuses: [99] }, /`statuses`/],
    ['cdn without maxAge', { cdn: {} } as CacheOptions, /`cdn.maxAge` must be a whole number/],
    ['a negative cdn window', { cdn: { maxAge: 60, staleIfError: -1 } }, /`cdn.staleIfError`/],
    [
      'an unknown cdn option',
      { cdn: { maxAge: 60, sMaxAge: 5 } } as unknown as CacheOptions,
      /unknown option `cdn.sMaxAge`/,
    ],
    ['cdn with private', { private: true, cdn: { maxAge: 60 } }, /`cdn`.*`private`/],
    ['cdn with noStore', { noStore: true, cdn: { maxAge: 60 } }, /`cdn`.*`noStore`/],
    ['an empty cache name', { cache: '' }, /`cache` must be the name of a cache/],
    [
      'a non-boolean flag',
      { public: 'yes' } as unknown as CacheOptions,
      /`public` must be a boolean/,
    ],
  ])('rejects %s, naming the method', (_name, options, message) => {
    expect(() => decorate(options)).toThrow(CacheXConfigError);
    expect(() => decorate(options)).toThrow(/ProductsController\.list\(\)/);
    expect(() => decorate(options)).toThrow(message);
  });

  it.each<CacheOptions | number>([
    60,
    {},
    { noStore: true, noCache: true },
    {
      ttl: 0,
      private: true,
      vary: ['Accept-Language'],
      tags: ['a', () => 'b'],
      statuses: [200, 404],
    },
    { ttl: 0, noCache: true, cdn: { maxAge: 3600, staleWhileRevalidate: 60, staleIfError: 0 } },
  ])('accepts %j', (options) => {
    expect(() => decorate(options)).not.toThrow();
  });
});
