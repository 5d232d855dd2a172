import { CacheXConfigError } from '../common/errors.js';
import { CacheEvict } from './cache-evict.decorator.js';
import { type CacheEvictOptions, resolveEvictList } from './cache-evict.options.js';

function decorate(options: CacheEvictOptions): void {
  class ProductsService {
    save() {}
  }
  CacheEvict(options)(
    ProductsService.prototype,
    'save',
    Object.getOwnPropertyDescriptor(ProductsService.prototype, 'save')!,
  );
}

describe('@CacheEvict() validation', () => {
  it.each<[string, CacheEvictOptions, RegExp]>([
    ['nothing to evict', {}, /at least one of `paths`, `tags` or `keys`/],
    ['an unknown option', { tags: ['a'], tag: 'a' } as CacheEvictOptions, /unknown option `tag`/],
    ['a relative path', { paths: ['products'] }, /absolute paths/],
    ['an empty tag', { tags: [''] }, /`tags` holds non-empty strings/],
    ['keys that are no list', { keys: 'k' } as unknown as CacheEvictOptions, /`keys` must be/],
    ['a non-boolean soft', { tags: ['a'], soft: 1 } as unknown as CacheEvictOptions, /`soft`/],
  ])('rejects %s, naming the method', (_name, options, message) => {
    expect(() => decorate(options)).toThrow(CacheXConfigError);
    expect(() => decorate(options)).toThrow(/ProductsService\.save\(\)/);
    expect(() => decorate(options)).toThrow(message);
  });

  it.each<CacheEvictOptions>([
    { paths: ['/products/:id'], tags: ['products', () => 'p'], keys: ['k'], soft: true },
    { paths: () => ['/a'] },
  ])('accepts %j', (options) => {
    expect(() => decorate(options)).not.toThrow();
  });
});

describe('resolveEvictList', () => {
  it('keeps strings, calls functions with the arguments and the result, drops empty names', () => {
    const list = ['/products', ([id]: unknown[]) => `/products/${String(id)}`, () => ['', 'x']];
    expect(resolveEvictList(list, ['7'], undefined)).toEqual([
      { name: '/products', computed: false },
      { name: '/products/7', computed: true },
      { name: 'x', computed: true },
    ]);
    expect(resolveEvictList((_args, result) => [String(result)], [], 'r')).toEqual([
      { name: 'r', computed: true },
    ]);
    expect(resolveEvictList(undefined, [], undefined)).toEqual([]);
  });
});
