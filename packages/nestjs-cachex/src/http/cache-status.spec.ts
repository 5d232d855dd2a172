import { cacheOutcome, formatCacheStatus } from './cache-status.js';

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

describe('cacheOutcome', () => {
  it.each([
    [{ kind: 'hit', ttl: 42 }, false, 'hit'],
    [{ kind: 'hit', ttl: 0 }, true, 'not-modified'],
    [{ kind: 'hit', ttl: -3 }, false, 'stale'],
    [{ kind: 'hit', ttl: -0 }, false, 'stale'],
    [{ kind: 'hit', ttl: -3 }, true, 'stale'],
    [{ kind: 'miss', stored: true }, false, 'stored'],
    [{ kind: 'miss', stored: false }, false, 'miss'],
    [{ kind: 'miss', stored: false, detail: 'variants' }, false, 'miss'],
    [{ kind: 'miss', stored: false, collapsed: true }, true, 'collapsed'],
    [{ kind: 'miss', stored: false, detail: 'stale-if-error' }, false, 'stale-if-error'],
    [{ kind: 'miss', stored: false, detail: 'backend-error' }, false, 'backend-error'],
    [{ kind: 'miss', stored: false, detail: 'breaker-open' }, false, 'backend-error'],
    [{ kind: 'bypass', detail: 'cookie' }, false, 'bypass'],
  ] as const)('%j (304: %s) is %s', (status, notModified, outcome) => {
    expect(cacheOutcome(status, notModified)).toBe(outcome);
  });
});
