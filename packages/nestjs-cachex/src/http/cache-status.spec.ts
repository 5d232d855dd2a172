import { formatCacheStatus } from './cache-status.js';

describe('formatCacheStatus (RFC 9211)', () => {
  it.each([
    [{ kind: 'hit', ttl: 42 }, 'cachex; hit; ttl=42'],
    [{ kind: 'hit', ttl: -3 }, 'cachex; hit; ttl=-3'],
    [{ kind: 'miss', stored: true }, 'cachex; fwd=miss; stored'],
    [{ kind: 'miss', stored: false }, 'cachex; fwd=miss'],
    [{ kind: 'miss', stored: false, collapsed: true }, 'cachex; fwd=miss; collapsed'],
    [
      { kind: 'miss', stored: false, detail: 'stale-if-error' },
      'cachex; fwd=miss; detail=stale-if-error',
    ],
    [{ kind: 'bypass', detail: 'private' }, 'cachex; fwd=bypass; detail=private'],
  ] as const)('%j gives %s', (status, header) => {
    expect(formatCacheStatus(status)).toBe(header);
  });
});
