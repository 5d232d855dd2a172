import { CacheXConfigError } from '../common/errors.js';
import { memcachedExpiry } from './memcached.client.js';
import { memjsOptions, resolveMemcachedOptions } from './memcached.options.js';

describe('MemcachedBackend options', () => {
  it('fills in the defaults', () => {
    expect(resolveMemcachedOptions({ servers: ['127.0.0.1:11211'] })).toEqual({
      keyPrefix: 'cachex:',
      timeoutMs: 500,
      maxValueBytes: 1024 * 1024,
      generationCacheMs: 1000,
    });
  });

  it('names the option at fault', () => {
    const bad: Array<[object, RegExp]> = [
      [{}, /`servers`/],
      [{ servers: [] }, /`servers`/],
      [{ servers: ['a:1,b:2'] }, /`servers`/],
      [{ servers: ['a:1'], keyPrefix: 'with space' }, /`keyPrefix`/],
      [{ servers: ['a:1'], keyPrefix: 'p'.repeat(181) }, /`keyPrefix`/],
      [{ servers: ['a:1'], timeoutMs: 0 }, /`timeoutMs`/],
      [{ servers: ['a:1'], maxValueBytes: 1.5 }, /`maxValueBytes`/],
      [{ servers: ['a:1'], generationCacheMs: -1 }, /`generationCacheMs`/],
    ];
    for (const [options, message] of bad) {
      expect(() => resolveMemcachedOptions(options)).toThrow(CacheXConfigError);
      expect(() => resolveMemcachedOptions(options)).toThrow(message);
    }
  });

  it('passes only memjs options to memjs', () => {
    expect(
      memjsOptions({
        servers: ['a:1'],
        keyPrefix: 'p:',
        timeoutMs: 100,
        retries: 3,
        failover: true,
      }),
    ).toEqual({ retries: 3, failover: true });
  });

  it('turns lifetimes into memcached expirations', () => {
    const now = 1_700_000_000_000;
    expect(memcachedExpiry(undefined, now)).toBe(0);
    expect(memcachedExpiry(0, now)).toBe(0);
    expect(memcachedExpiry(1.2, now)).toBe(3); // rounded up, plus the second memcached's clock may eat
    expect(memcachedExpiry(30 * 24 * 3600 - 1, now)).toBe(30 * 24 * 3600);
    expect(memcachedExpiry(30 * 24 * 3600, now)).toBe(1_700_000_000 + 30 * 24 * 3600 + 1);
  });
});
