import fc from 'fast-check';

import { VariantLimit, type VariantLimitOptions } from './variant-limit.js';

const PATH = 'GET|||https://shop.example|||/products';
const key = (query: string) => `${PATH}|||${query}`;

/** A limit on a clock the test moves by hand. */
function limitAt(options: Omit<VariantLimitOptions, 'now'>) {
  const clock = { ms: 1_000_000 };
  const limit = new VariantLimit({ ...options, now: () => clock.ms });
  return { limit, clock };
}

describe('VariantLimit', () => {
  it('admits up to maxVariantsPerPath keys per group, then refuses', () => {
    const { limit } = limitAt({ maxVariantsPerPath: 3 });
    expect(['a=1', 'a=2', 'a=3'].map((q) => limit.admit(PATH, key(q), 60_000))).toEqual([
      true,
      true,
      true,
    ]);
    expect(limit.admit(PATH, key('a=4'), 60_000)).toBe(false);
    expect(limit.admit(PATH, key('a=5'), 60_000)).toBe(false);
    // Other paths (and other methods or origins) have room of their own.
    expect(limit.admit('GET|||https://shop.example|||/cart', 'c', 60_000)).toBe(true);
    expect(limit.admit('HEAD|||https://shop.example|||/products', 'h', 60_000)).toBe(true);
    expect(limit.keyCount).toBe(5);
  });

  it('lets a counted key be stored again for free, restarting its count', () => {
    const { limit, clock } = limitAt({ maxVariantsPerPath: 2 });
    limit.admit(PATH, key('a=1'), 10_000);
    limit.admit(PATH, key('a=2'), 60_000);
    clock.ms += 9_000;
    expect(limit.admit(PATH, key('a=1'), 10_000)).toBe(true);
    expect(limit.keyCount).toBe(2);
    // a=1 now counts until 19 s, so at 15 s the group is still full.
    clock.ms += 6_000;
    expect(limit.admit(PATH, key('a=3'), 10_000)).toBe(false);
  });

  it('stops counting a key when its ttl ends', () => {
    const { limit, clock } = limitAt({ maxVariantsPerPath: 2 });
    limit.admit(PATH, key('a=1'), 5_000);
    limit.admit(PATH, key('a=2'), 60_000);
    clock.ms += 4_999;
    expect(limit.admit(PATH, key('a=3'), 60_000)).toBe(false);
    clock.ms += 1;
    expect(limit.admit(PATH, key('a=3'), 60_000)).toBe(true);
    expect(limit.keyCount).toBe(2);
    expect(limit.admit(PATH, key('a=4'), 60_000)).toBe(false);
  });

  it('counts a key stored without expiry until its group is forgotten', () => {
    const { limit, clock } = limitAt({ maxVariantsPerPath: 1 });
    expect(limit.admit(PATH, key('a=1'), Infinity)).toBe(true);
    clock.ms += 365 * 24 * 3600 * 1000;
    expect(limit.admit(PATH, key('a=2'), 1_000)).toBe(false);
    // A ttl of zero (or less) counts for no time at all.
    limit.forget(PATH);
    expect(limit.admit(PATH, key('a=2'), 0)).toBe(true);
    expect(limit.admit(PATH, key('a=3'), 1_000)).toBe(true);
  });

  it('gives a group its room back when forgotten (clearPath) or cleared', () => {
    const { limit } = limitAt({ maxVariantsPerPath: 1 });
    limit.admit(PATH, key('a=1'), 60_000);
    limit.admit('GET|||h|||/other', 'o', 60_000);
    expect(limit.admit(PATH, key('a=2'), 60_000)).toBe(false);
    limit.forget(PATH);
    expect(limit.keyCount).toBe(1);
    expect(limit.admit(PATH, key('a=2'), 60_000)).toBe(true);
    expect(limit.admit('GET|||h|||/other', 'o2', 60_000)).toBe(false);
    limit.clear();
    expect([limit.groupCount, limit.keyCount]).toEqual([0, 0]);
    expect(limit.admit('GET|||h|||/other', 'o2', 60_000)).toBe(true);
  });

  it('tracks at most maxPaths groups, forgetting the least recently used', () => {
    const { limit } = limitAt({ maxVariantsPerPath: 1, maxPaths: 3 });
    for (const path of ['/a', '/b', '/c']) limit.admit(path, `${path}?1`, 60_000);
    // /a is refused (and so used): /b is now the least recently used, and goes first.
    expect(limit.admit('/a', '/a?2', 60_000)).toBe(false);
    limit.admit('/d', '/d?1', 60_000);
    expect(limit.admit('/a', '/a?2', 60_000)).toBe(false);
    expect(limit.admit('/b', '/b?2', 60_000)).toBe(true);
    for (let i = 0; i < 1_000; i++) limit.admit(`/flood/${i}`, `k${i}`, 60_000);
    expect(limit.groupCount).toBe(3);
    expect(limit.keyCount).toBe(3);
    // Forgotten groups start again from zero: the bound loosens, it never leaks.
    expect(limit.admit('/a', '/a?2', 60_000)).toBe(true);
  });

  it('tracks at most maxKeys keys over all groups', () => {
    const { limit } = limitAt({ maxVariantsPerPath: 4, maxKeys: 10 });
    for (let g = 0; g < 20; g++) {
      for (let k = 0; k < 4; k++) expect(limit.admit(`/p${g}`, `k${k}`, 60_000)).toBe(true);
      expect(limit.keyCount).toBeLessThanOrEqual(10);
    }
    // The group in use is never the one forgotten.
    expect(limit.admit('/p19', 'k4', 60_000)).toBe(false);
  });

  it('never tracks fewer keys than one full group', () => {
    const { limit } = limitAt({ maxVariantsPerPath: 5, maxKeys: 2 });
    for (let k = 0; k < 5; k++) expect(limit.admit(PATH, `k${k}`, 60_000)).toBe(true);
    expect(limit.admit(PATH, 'k5', 60_000)).toBe(false);
  });

  it('refuses options that are not whole numbers ≥ 1', () => {
    expect(() => new VariantLimit({ maxVariantsPerPath: 0 })).toThrow(/maxVariantsPerPath/);
    expect(() => new VariantLimit({ maxVariantsPerPath: 1.5 })).toThrow(/maxVariantsPerPath/);
    expect(() => new VariantLimit({ maxVariantsPerPath: 1, maxPaths: 0 })).toThrow(/maxPaths/);
    expect(() => new VariantLimit({ maxVariantsPerPath: 1, maxKeys: NaN })).toThrow(/maxKeys/);
  });
});

type Step =
  | { op: 'admit'; group: number; key: number; ttlMs: number }
  | { op: 'tick'; ms: number }
  | { op: 'forget'; group: number };

// Times in steps of 5 ms, so that keys often expire exactly at the time of a later admit.
const fiveMs = (n: number) => n * 5;

const steps = (groups: number): fc.Arbitrary<Step[]> =>
  fc.array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          op: fc.constant('admit' as const),
          group: fc.nat({ max: groups - 1 }),
          key: fc.nat({ max: 5 }),
          ttlMs: fc.oneof(fc.nat({ max: 8 }).map(fiveMs), fc.constant(Infinity)),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.nat(6).map(fiveMs) }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          op: fc.constant('forget' as const),
          group: fc.nat({ max: groups - 1 }),
        }),
      },
    ),
    { maxLength: 300, size: 'medium' },
  );

describe('VariantLimit (properties)', () => {
  it('never lets a group hold more than maxVariantsPerPath live keys, and refuses only then', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), steps(2), (max, plan) => {
        const { limit, clock } = limitAt({ maxVariantsPerPath: max });
        // What was stored: group -> key -> when it leaves the backend.
        const stored = new Map<number, Map<number, number>>();
        const live = (group: number) =>
          [...(stored.get(group) ?? new Map<number, number>())].filter(([, at]) => at > clock.ms);
        for (const step of plan) {
          if (step.op === 'tick') clock.ms += step.ms;
          else if (step.op === 'forget') {
            limit.forget(`g${step.group}`);
            stored.delete(step.group); // clearPath removed its entries
          } else {
            const before = live(step.group);
            const expected = before.length < max || before.some(([k]) => k === step.key);
            const admitted = limit.admit(`g${step.group}`, `k${step.key}`, step.ttlMs);
            expect(admitted).toBe(expected);
            if (admitted) {
              const group = stored.get(step.group) ?? new Map<number, number>();
              group.set(step.key, clock.ms + Math.max(step.ttlMs, 0));
              stored.set(step.group, group);
            }
            expect(live(step.group).length).toBeLessThanOrEqual(max);
          }
        }
      }),
    );
  });

  it('keeps its own memory within maxPaths groups and maxKeys keys', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 12 }),
        steps(10),
        (max, maxPaths, maxKeys, plan) => {
          const { limit, clock } = limitAt({ maxVariantsPerPath: max, maxPaths, maxKeys });
          for (const step of plan) {
            if (step.op === 'tick') clock.ms += step.ms;
            else if (step.op === 'forget') limit.forget(`g${step.group}`);
            else limit.admit(`g${step.group}`, `k${step.key}`, step.ttlMs);
            expect(limit.groupCount).toBeLessThanOrEqual(maxPaths);
            expect(limit.keyCount).toBeLessThanOrEqual(Math.max(maxKeys, max));
            expect(limit.keyCount).toBeGreaterThanOrEqual(0);
          }
        },
      ),
    );
  });
});
