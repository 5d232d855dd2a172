import { defaultKeyBuilder, keyLocation } from './cache-key.js';

describe('defaultKeyBuilder', () => {
  it('joins method, Host (with port), path and raw query', () => {
    expect(
      defaultKeyBuilder({
        method: 'GET',
        url: '/a/b?x=1&y=%20',
        headers: { host: 'h.example:8080' },
      }),
    ).toBe('GET|||h.example:8080|||/a/b|||x=1&y=%20');
  });

  it('keys HEAD as GET and prefers originalUrl', () => {
    expect(
      defaultKeyBuilder({
        method: 'HEAD',
        url: '/inner',
        originalUrl: '/outer?q',
        headers: { host: 'h' },
      }),
    ).toBe('GET|||h|||/outer|||q');
  });

  it('copes with a missing Host and an empty query', () => {
    expect(defaultKeyBuilder({ method: 'GET', url: '/p?', headers: {} })).toBe('GET||||||/p|||');
  });
});

describe('keyLocation', () => {
  it('reads path and query from a default key, extras after them ignored', () => {
    expect(keyLocation('GET|||h|||/p|||q=1|||vary:a=b')).toEqual({ path: '/p', query: 'q=1' });
  });

  it("prefers the entry's own path, and knows nothing of a custom key without one", () => {
    expect(keyLocation('custom', { path: '/x', query: '' })).toEqual({ path: '/x', query: '' });
    expect(keyLocation('custom')).toBeUndefined();
  });
});
