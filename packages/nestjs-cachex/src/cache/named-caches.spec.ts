import { CacheBackend } from '../backends/cache-backend.js';
import { MemoryBackend } from '../backends/memory.backend.js';
import { CacheXConfigError } from '../common/errors.js';
import { getCacheToken, NamedCaches } from './named-caches.js';

describe('NamedCaches', () => {
  const moduleBackend = new MemoryBackend();

  it('gives each backend by its name, and all of them', () => {
    const hot = new MemoryBackend();
    const cold = new MemoryBackend();
    const caches = new NamedCaches(moduleBackend, { hot, cold });
    expect(caches.backend('hot')).toBe(hot);
    expect(caches.all()).toEqual([hot, cold]);
    expect(new NamedCaches(moduleBackend).all()).toEqual([]);
  });

  it("gives every backend, the module's first, by identity", () => {
    const hot = new MemoryBackend();
    const cold = new MemoryBackend();
    const expected: CacheBackend[] = [moduleBackend, hot, cold];
    const every = new NamedCaches(moduleBackend, { hot, cold }).everyBackend();
    expect(every.map((backend) => expected.indexOf(backend))).toEqual([0, 1, 2]);
    expect(new NamedCaches(moduleBackend).everyBackend()).toHaveLength(1);
    expect(new NamedCaches(moduleBackend).everyBackend()[0]).toBe(moduleBackend);
  });

  it('names the missing cache and the option to add it to', () => {
    expect(() => new NamedCaches(moduleBackend, {}).backend('hot')).toThrow(CacheXConfigError);
    expect(() => new NamedCaches(moduleBackend, {}).backend('hot')).toThrow(
      /no cache named "hot".*caches/,
    );
  });

  it('refuses what is not a CacheBackend, naming the option', () => {
    expect(() => new NamedCaches(moduleBackend, { hot: {} as CacheBackend })).toThrow(
      /`caches.hot`/,
    );
  });

  it('has a token per name, and the module backend without one', () => {
    expect(getCacheToken()).toBe(CacheBackend);
    expect(getCacheToken('hot')).toBe('CacheXCache:hot');
  });
});
