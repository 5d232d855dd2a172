import { CacheBackend } from '../backends/cache-backend.js';
import { MemoryBackend } from '../backends/memory.backend.js';
import { CacheXConfigError } from '../common/errors.js';
import { getCacheToken, NamedCaches } from './named-caches.js';

describe('NamedCaches', () => {
  it('gives each backend by its name, and all of them', () => {
    const hot = new MemoryBackend();
    const cold = new MemoryBackend();
    const caches = new NamedCaches({ hot, cold });
    expect(caches.backend('hot')).toBe(hot);
    expect(caches.all()).toEqual([hot, cold]);
    expect(new NamedCaches().all()).toEqual([]);
  });

  it('names the missing cache and the option to add it to', () => {
    expect(() => new NamedCaches({}).backend('hot')).toThrow(CacheXConfigError);
    expect(() => new NamedCaches({}).backend('hot')).toThrow(/no cache named "hot".*caches/);
  });

  it('refuses what is not a CacheBackend, naming the option', () => {
    expect(() => new NamedCaches({ hot: {} as CacheBackend })).toThrow(/`caches.hot`/);
  });

  it('has a token per name, and the module backend without one', () => {
    expect(getCacheToken()).toBe(CacheBackend);
    expect(getCacheToken('hot')).toBe('CacheXCache:hot');
  });
});
