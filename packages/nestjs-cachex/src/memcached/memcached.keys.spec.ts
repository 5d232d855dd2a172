import { MAX_MEMCACHED_KEY_BYTES, MemcachedKeys } from './memcached.keys.js';

const keys = new MemcachedKeys('app:');
const valid = (key: string) => {
  expect(key.startsWith('app:')).toBe(true);
  expect(Buffer.byteLength(key)).toBeLessThanOrEqual(MAX_MEMCACHED_KEY_BYTES);
  expect(key).toMatch(/^[\x21-\x7e]+$/);
};

describe('MemcachedKeys', () => {
  it('keeps short printable keys readable', () => {
    expect(keys.entry('GET|||h|||/a|||q=1')).toBe('app:e:GET|||h|||/a|||q=1');
    expect(keys.allGeneration()).toBe('app:gen:all');
    expect(keys.locationGeneration({ path: '/a', query: '' })).toBe('app:gen:path:/a');
    expect(keys.locationGeneration({ path: '/a', query: 'x=1' })).toBe('app:gen:path?:/a');
    expect(keys.tagGeneration('product')).toBe('app:gen:tag:product');
    expect(keys.namespaceGeneration('session')).toBe('app:gen:ns:session');
    expect(keys.namespaceData('session', 'G1', 'user:1')).toBe('app:ns:session:G1:user:1');
  });

  it('hashes long, unicode, spaced and control-character parts, keeping the prefix and kind', () => {
    for (const part of ['x'.repeat(300), '/ünïcödé', 'a b', 'a\nb', 'a\u0000b']) {
      const key = keys.entry(part);
      valid(key);
      expect(key).toMatch(/^app:e:#[\w-]{43}$/);
    }
    valid(keys.namespaceData('n', 'G', 'k'.repeat(400)));
    valid(keys.tagGeneration('étiquette'));
  });

  it('hashes a part that starts with # so that it cannot equal a hashed one', () => {
    const hashed = keys.entry('a b');
    expect(keys.entry(hashed.slice('app:e:'.length))).not.toBe(hashed);
  });

  it('hashes at the byte limit and not below it', () => {
    const room = MAX_MEMCACHED_KEY_BYTES - 'app:e:'.length;
    expect(keys.entry('x'.repeat(room))).toBe(`app:e:${'x'.repeat(room)}`);
    expect(keys.entry('x'.repeat(room + 1))).toMatch(/^app:e:#/);
  });

  it('keeps distinct logical keys distinct', () => {
    const long = 'y'.repeat(300);
    expect(keys.entry(long + '1')).not.toBe(keys.entry(long + '2'));
    expect(keys.pathGenerations('/a', true)).toEqual(['app:gen:path:/a', 'app:gen:path?:/a']);
    expect(keys.pathGenerations('/a', false)).toEqual(['app:gen:path:/a']);
  });

  it('does not let a namespace name run into its generation or key', () => {
    expect(keys.namespaceData('a:b', 'G', 'c')).not.toBe(keys.namespaceData('a', 'G', 'b:c'));
    expect(keys.namespaceData('a:b', 'G', 'c')).toBe('app:ns:a%3Ab:G:c');
    expect(keys.namespaceData('a%3Ab', 'G', 'c')).toBe('app:ns:a%253Ab:G:c');
  });
});
