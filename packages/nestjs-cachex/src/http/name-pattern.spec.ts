import fc from 'fast-check';
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
});
