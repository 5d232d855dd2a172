import {
  formatGeneration,
  newToken,
  parseGeneration,
  standing,
  worstStanding,
} from './memcached.generations.js';

describe('memcached generations', () => {
  it('formats and parses hard.soft', () => {
    const generation = { hard: newToken(), soft: newToken() };
    expect(parseGeneration(formatGeneration(generation))).toEqual(generation);
    expect(parseGeneration('1')).toBeUndefined();
    expect(parseGeneration('a.b.c')).toBeUndefined();
    expect(newToken()).not.toBe(newToken());
  });

  it('judges an entry by the generations it was written under', () => {
    const now = { hard: 'H', soft: 'S' };
    expect(standing('H.S', now)).toBe('fresh');
    expect(standing('H.s', now)).toBe('stale');
    expect(standing('h.S', now)).toBe('gone');
    expect(standing('H.S', undefined)).toBe('gone'); // evicted or never written
    expect(standing(undefined, now)).toBe('gone');
    expect(standing('garbage', now)).toBe('gone');
  });

  it('takes the worst standing', () => {
    expect(worstStanding([])).toBe('fresh');
    expect(worstStanding(['fresh', 'stale'])).toBe('stale');
    expect(worstStanding(['stale', 'gone', 'fresh'])).toBe('gone');
  });
});
