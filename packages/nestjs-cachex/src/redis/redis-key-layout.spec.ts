import { escapeGlob, globLiteralPrefix, redisHashTag, RedisKeyLayout } from './redis-key-layout.js';

describe('RedisKeyLayout', () => {
  const layout = new RedisKeyLayout('app:');
  const key = 'GET|||example.com|||/users/1|||page=2';

  it('puts every key under the prefix and the response cache under its own sub-prefix', () => {
    expect(layout.entry(key)).toMatch(/^app:rc:\{[0-9a-f]{8}\}:e:GET\|\|\|example\.com/);
    expect(layout.pathIndex('/users/1', true)).toMatch(/^app:rc:\{[0-9a-f]{8}\}:q:\/users\/1$/);
    expect(layout.tagIndex('user:1')).toMatch(/^app:rc:\{[0-9a-f]{8}\}:t:user:1$/);
    expect(layout.namespace('sessions')).toBe('app:ns:sessions:');
  });

  it("gives an entry the hash tag of its path's indexes, so they share a Cluster slot", () => {
    const tag = redisHashTag(layout.entry(key));
    expect(redisHashTag(layout.pathIndex('/users/1', false))).toBe(tag);
    expect(redisHashTag(layout.pathIndex('/users/1', true))).toBe(tag);
    expect(redisHashTag(layout.entry('GET|||other.host|||/users/1|||'))).toBe(tag);
    expect(redisHashTag(layout.pathIndex('/users/2', false))).not.toBe(tag);
  });

  it('hashes a key without a path by the whole key', () => {
    expect(redisHashTag(layout.entry('custom-key'))).not.toBe(
      redisHashTag(layout.entry('other-custom-key')),
    );
  });

  it('reads logical keys and paths back, and tells entries from indexes', () => {
    const unicode = 'GET|||h|||/città/ü|||q=☃';
    expect(layout.logicalKey(layout.entry(unicode))).toBe(unicode);
    expect(layout.logicalKey(layout.pathIndex('/a', false))).toBeUndefined();
    expect(layout.indexedPath(layout.pathIndex('/a{b}', true))).toBe('/a{b}');
    expect(layout.indexedPath(layout.tagIndex('x'))).toBeUndefined();
    expect(layout.isEntry(layout.entry(key))).toBe(true);
    expect(layout.isEntry(layout.tagIndex('x'))).toBe(false);
    expect(layout.isEntry('other:rc:{12345678}:e:x')).toBe(false);
  });

  it('escapes the prefix in SCAN patterns', () => {
    const odd = new RedisKeyLayout('a*b?[c]:');
    expect(odd.entriesPattern()).toBe('a\\*b\\?\\[c\\]:rc:{????????}:e:*');
    expect(odd.responsesPattern()).toBe('a\\*b\\?\\[c\\]:rc:{????????}:*');
    expect(odd.pathIndexesPattern('/x*')).toBe('a\\*b\\?\\[c\\]:rc:{????????}:[pq]:/x\\**');
  });

  it('keeps namespaces with colons or percent signs apart', () => {
    expect(layout.namespace('a:b')).toBe('app:ns:a%3Ab:');
    expect(layout.namespace('a%3Ab')).toBe('app:ns:a%253Ab:');
    expect(layout.namespace('a:b')).not.toBe(layout.namespace('a'));
  });
});

describe('redisHashTag', () => {
  it.each([
    ['plain', 'plain'],
    ['a{tag}b', 'tag'],
    ['a{}b{c}', 'a{}b{c}'],
    ['a{b', 'a{b'],
    ['a{b}{c}', 'b'],
    ['a}{b}', 'b'],
  ])('%s hashes %s', (key, tag) => {
    expect(redisHashTag(key)).toBe(tag);
  });
});

describe('glob helpers', () => {
  it('escapes wildcards', () => {
    expect(escapeGlob('/a*b?c[d]e\\f')).toBe('/a\\*b\\?c\\[d\\]e\\\\f');
  });

  it.each([
    ['/users/*', '/users/'],
    ['/users/?/x', '/users/'],
    ['/v[12]/x', '/v'],
    ['/literal\\*x*', '/literal*x'],
    ['/exact', '/exact'],
    ['*', ''],
  ])('the literal prefix of %s is %s', (glob, prefix) => {
    expect(globLiteralPrefix(glob)).toBe(prefix);
  });
});
