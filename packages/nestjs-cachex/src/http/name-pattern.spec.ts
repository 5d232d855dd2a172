import fc from 'fast-check';
import { hostileText } from '../../../../test/support/hostile-text.js';
import { nameMatcher } from './name-pattern.js';

describe('nameMatcher', () => {
  const matches = nameMatcher(['_ga', '_gcl_*', /^x-\d+$/]);

  it.each([
    ['_ga', true],
    ['_gab', false],
    ['_gcl_au', true],
    ['_gcl_', true],
    ['_gc', false],
    ['x-12', true],
    ['x-a', false],
    ['session', false],
  ])('%s → %s', (name, expected) => {
    expect(matches(name)).toBe(expected);
  });

  it('matches nothing with no patterns', () => {
    fc.assert(fc.property(fc.string(), (name) => !nameMatcher([])(name)));
  });

  it('a trailing * matches every name with that prefix, and only those', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (prefix, name) => {
        const clean = prefix.replaceAll('*', '');
        return nameMatcher([`${clean}*`])(name) === name.startsWith(clean);
      }),
    );
  });

  it('a global RegExp gives the same answer every time', () => {
    const global = nameMatcher([/a/g]);
    expect([global('a'), global('a'), global('a')]).toEqual([true, true, true]);
  });

  /** Any name a client may send: full Unicode, lone surrogates, control characters, long. */
  const hostile = hostileText(['_', 'g', 'a', '*', 'x', '-', '1'], {
    maxLength: 30,
    structureMaxLength: 6,
    longUpTo: 50_000,
    repeatMaxLength: 4,
    weights: [1, 1, 1, 1],
  });
  const pattern: fc.Arbitrary<string | RegExp> = fc.oneof(
    hostile,
    fc.constantFrom(/^_ga/, /x-\d+/g, /a/y, /^$/, /__/i),
  );
  /** One pattern on its own, by its definition: a fresh RegExp (a sticky one anchored at 0). */
  const matchesOne = (p: string | RegExp, name: string) =>
    p instanceof RegExp
      ? new RegExp(p.source, p.flags.replace('g', '')).test(name)
      : p.endsWith('*')
        ? name.startsWith(p.slice(0, -1))
        : name === p;

  it('never throws, and matches a name exactly when one of its patterns does', () => {
    fc.assert(
      fc.property(
        fc.array(pattern, { maxLength: 5 }),
        fc.array(hostile, { maxLength: 4 }),
        (patterns, names) => {
          const matches = nameMatcher(patterns);
          for (const name of [...names, ...patterns.filter((p) => typeof p === 'string')]) {
            expect(matches(name)).toBe(patterns.some((p) => matchesOne(p, name)));
          }
        },
      ),
    );
  });

  it('gives the same answer for a name however often and in whatever order it is asked', () => {
    fc.assert(
      fc.property(
        fc.array(pattern, { maxLength: 4 }),
        fc.array(hostile, { minLength: 1, maxLength: 6 }),
        (patterns, names) => {
          const matches = nameMatcher(patterns);
          const first = names.map((name) => matches(name));
          expect([...names].reverse().map((name) => matches(name))).toEqual([...first].reverse());
        },
      ),
    );
  });
});
