import { expiryFrom, isExpired, pastAbsoluteTimeout, renewedExpiry } from './session-expiry.js';

const lifetime = { ttl: 100, absoluteTimeout: undefined };
const capped = { ttl: 100, absoluteTimeout: 150 };
const sliding = { ...lifetime, slidingExpiration: true, slidingThreshold: 0.5 };

describe('expiryFrom', () => {
  it('is ttl from now, never past absoluteTimeout from creation', () => {
    expect(expiryFrom(lifetime, 0, 1_000)).toBe(101_000);
    expect(expiryFrom(capped, 0, 1_000)).toBe(101_000);
    expect(expiryFrom(capped, 0, 80_000)).toBe(150_000);
  });
});

describe('isExpired / pastAbsoluteTimeout', () => {
  it('expires at expiresAt, or at absoluteTimeout from creation', () => {
    expect(isExpired(lifetime, { createdAt: 0, expiresAt: 10 }, 9)).toBe(false);
    expect(isExpired(lifetime, { createdAt: 0, expiresAt: 10 }, 10)).toBe(true);
    expect(pastAbsoluteTimeout(capped, { createdAt: 0 }, 149_999)).toBe(false);
    expect(pastAbsoluteTimeout(capped, { createdAt: 0 }, 150_000)).toBe(true);
    expect(isExpired(capped, { createdAt: 0, expiresAt: 999_999 }, 150_000)).toBe(true);
  });
});

describe('renewedExpiry', () => {
  const record = { createdAt: 0, expiresAt: 100_000 };

  it('renews once less than slidingThreshold × ttl is left', () => {
    expect(renewedExpiry(sliding, record, 100_000, 49_000)).toBeUndefined();
    expect(renewedExpiry(sliding, record, 100_000, 51_000)).toBe(151_000);
  });

  it('counts from the token when it ends before the record', () => {
    const longRecord = { createdAt: 0, expiresAt: 200_000 };
    expect(renewedExpiry(sliding, longRecord, 100_000, 51_000)).toBe(151_000);
  });

  it('never renews when off, or when the cap leaves nothing to extend', () => {
    expect(renewedExpiry({ ...sliding, slidingExpiration: false }, record, 100_000, 90_000)).toBe(
      undefined,
    );
    const atCap = { ...sliding, absoluteTimeout: 100 };
    expect(renewedExpiry(atCap, record, 100_000, 90_000)).toBeUndefined();
  });
});
