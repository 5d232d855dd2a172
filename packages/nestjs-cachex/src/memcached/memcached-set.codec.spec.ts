import { applySetChanges, decodeSet, encodeSet, setTtlSeconds } from './memcached-set.codec.js';

const now = 1_700_000_000_000;

describe('memcached set codec', () => {
  it('round-trips a set and drops an expired one', () => {
    const set = { members: ['a', 'b'], expiresAt: now + 5000 };
    expect(decodeSet(encodeSet(set), now)).toEqual(set);
    expect(decodeSet(encodeSet(set), now + 5000)).toBeUndefined();
    expect(decodeSet(encodeSet({ members: ['a'], expiresAt: 0 }), now + 1e12)).toBeDefined();
    expect(decodeSet('not json', now)).toBeUndefined();
    expect(decodeSet('{"m":"a","e":0}', now)).toBeUndefined();
  });

  it('adds and removes in order, and is undefined once empty', () => {
    const set = applySetChanges(
      undefined,
      [
        { add: 'a', ttlSeconds: 10 },
        { add: 'b', ttlSeconds: 10 },
        { add: 'a', ttlSeconds: 10 },
        { remove: 'b' },
      ],
      now,
    );
    expect(set).toEqual({ members: ['a'], expiresAt: now + 10_000 });
    expect(applySetChanges(set, [{ remove: 'a' }], now)).toBeUndefined();
    expect(applySetChanges(undefined, [{ remove: 'x' }], now)).toBeUndefined();
  });

  it('lives as long as its longest-lived member, and forever once a member has no lifetime', () => {
    const set = applySetChanges(undefined, [{ add: 'a', ttlSeconds: 100 }], now)!;
    expect(applySetChanges(set, [{ add: 'b', ttlSeconds: 10 }], now)!.expiresAt).toBe(
      now + 100_000,
    );
    expect(applySetChanges(set, [{ add: 'b', ttlSeconds: 200 }], now)!.expiresAt).toBe(
      now + 200_000,
    );
    const forever = applySetChanges(set, [{ add: 'b' }], now)!;
    expect(forever.expiresAt).toBe(0);
    expect(applySetChanges(forever, [{ add: 'c', ttlSeconds: 5 }], now)!.expiresAt).toBe(0);
    expect(applySetChanges(set, [{ remove: 'x' }], now)!.expiresAt).toBe(set.expiresAt);
  });

  it('gives memcached the time left, at least one second, or none', () => {
    expect(setTtlSeconds({ members: ['a'], expiresAt: now + 1500 }, now)).toBe(2);
    expect(setTtlSeconds({ members: ['a'], expiresAt: now - 10 }, now)).toBe(1);
    expect(setTtlSeconds({ members: ['a'], expiresAt: 0 }, now)).toBeUndefined();
  });
});
