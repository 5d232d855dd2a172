import { ifNoneMatchMatches, parseIfNoneMatch, strongETag } from './etag.js';

describe('strongETag', () => {
  it('is strong, stable and tells bodies apart', () => {
    const a = strongETag(Buffer.from('hello'));
    expect(a).toMatch(/^"5-[A-Za-z0-9_-]{27}"$/);
    expect(strongETag(Buffer.from('hello'))).toBe(a);
    expect(strongETag(Buffer.from('hellp'))).not.toBe(a);
    expect(strongETag(Buffer.alloc(0))).toMatch(/^"0-/);
  });
});

describe('parseIfNoneMatch', () => {
  it.each([
    ['"a"', ['"a"']],
    ['W/"a", "b"', ['W/"a"', '"b"']],
    ['  "a" ,W/"b" ,  "c"  ', ['"a"', 'W/"b"', '"c"']],
    ['"with,comma", "x"', ['"with,comma"', '"x"']],
    ['*', '*'],
    [' * ', '*'],
    ['', []],
    ['a', []],
    ['"unterminated', []],
    ['"a" "b"', []],
    [`"${'x'.repeat(9000)}"`, []],
  ])('%s gives %j', (header, tags) => {
    expect(parseIfNoneMatch(header)).toEqual(tags);
  });
});

describe('ifNoneMatchMatches (weak comparison)', () => {
  it.each([
    ['"a"', '"a"', true],
    ['W/"a"', '"a"', true],
    ['"a"', 'W/"a"', true],
    ['W/"a"', 'W/"a"', true],
    ['"b", "a"', '"a"', true],
    ['*', '"anything"', true],
    ['"b"', '"a"', false],
    ['a', 'a', false],
    ['"A"', '"a"', false],
  ])('%s against %s: %s', (header, etag, matches) => {
    expect(ifNoneMatchMatches(header, etag)).toBe(matches);
  });
});
