import { CacheXConfigError } from '../common/errors.js';
import { Cacheable } from './cacheable.decorator.js';
import { type CacheableOptions, defaultCacheableKey } from './cacheable.options.js';

function decorate(options: CacheableOptions): void {
  class PricesService {
    async price(): Promise<number> {
      return 1;
    }
  }
  Cacheable(options)(
    PricesService.prototype,
    'price',
    Object.getOwnPropertyDescriptor(PricesService.prototype, 'price')!,
  );
}

describe('@Cacheable() validation', () => {
  it.each<[string, CacheableOptions, RegExp]>([
    ['a ttl of 0', { ttl: 0 }, /`ttl` must be a whole number of seconds ≥ 1/],
    ['a fractional window', { staleWhileRevalidate: 1.5 }, /`staleWhileRevalidate`/],
    ['a key that is no function', { key: 'k' } as unknown as CacheableOptions, /`key` must be/],
    ['an empty tag', { tags: [''] }, /`tags` holds non-empty strings/],
    ['an unknown option', { ttl: 5, tll: 5 } as CacheableOptions, /unknown option `tll`/],
  ])('rejects %s, naming the method', (_name, options, message) => {
    expect(() => decorate(options)).toThrow(CacheXConfigError);
    expect(() => decorate(options)).toThrow(/PricesService\.price\(\)/);
    expect(() => decorate(options)).toThrow(message);
  });

  it.each<CacheableOptions>([
    {},
    { key: () => 'k', ttl: 1, staleWhileRevalidate: 0, tags: ['a', () => ['b']] },
  ])('accepts %j', (options) => {
    expect(() => decorate(options)).not.toThrow();
  });
});

describe('@Cacheable() typing', () => {
  it('takes methods that return a Promise, with keys typed by their arguments', () => {
    class Typed {
      @Cacheable({ key: (id: string) => `product:${id}` })
      async find(id: string): Promise<string> {
        return id;
      }

      // @ts-expect-error its value comes from the cache: the method must return a Promise
      @Cacheable()
      now(): number {
        return 1;
      }
    }
    expect(typeof new Typed().find).toBe('function');
  });
});

describe('defaultCacheableKey', () => {
  it('is ClassName.method: and the JSON of the arguments', () => {
    expect(defaultCacheableKey('PricesService', 'price', ['abc', 2])).toBe(
      'PricesService.price:["abc",2]',
    );
    expect(defaultCacheableKey('PricesService', 'all', [])).toBe('PricesService.all:[]');
  });
});
