import fc from 'fast-check';
import { hostileText } from '../../../../test/support/hostile-text.js';
import {
  ifNoneMatchMatches,
  MAX_IF_NONE_MATCH_LENGTH,
  parseIfNoneMatch,
  strongETag,
} from './etag.js';

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

/** Hostile text (see `hostileText`) with the characters that structure the header. */
const hostile = hostileText(['"', 'W/', 'w/', ',', ' ', '\t', '*', 'a', '\u00ff', '\u0100', '\0']);

describe('ETag properties', () => {
  /** The characters an opaque tag may hold (RFC 9110 §8.8.3: etagc). */
  const etagc = fc
    .oneof(
      fc.integer({ min: 0x21, max: 0x21 }),
      fc.integer({ min: 0x23, max: 0x7e }),
      fc.integer({ min: 0x80, max: 0xff }),
    )
    .map((code) => String.fromCharCode(code));
  const opaque = fc.string({ unit: etagc, maxLength: 16 }).map((text) => `"${text}"`);
  const tag = fc
    .tuple(fc.boolean(), opaque)
    .map(([weak, quoted]) => (weak ? `W/${quoted}` : quoted));
  /** Optional whitespace as HTTP has it: spaces and tabs. */
  const ows = fc.stringMatching(/^[ \t]{0,3}$/);
  const WELL_FORMED = /^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/;

  /** A comma-separated list of `tags`, with random whitespace around every member. */
  const listOf = (tags: string[]) =>
    fc
      .array(fc.tuple(ows, ows), { minLength: tags.length, maxLength: tags.length })
      .map((spaces) => tags.map((t, i) => `${spaces[i]![0]}${t}${spaces[i]![1]}`).join(','));

  it('strongETag is a strong, well-formed tag that parses as itself and matches itself', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const etag = strongETag(bytes);
        expect(etag).toMatch(/^"[0-9a-f]+-[A-Za-z0-9_-]{27}"$/);
        expect(strongETag(Uint8Array.from(bytes))).toBe(etag);
        expect(parseIfNoneMatch(etag)).toEqual([etag]);
        expect(ifNoneMatchMatches(etag, etag)).toBe(true);
      }),
    );
  });

  it('strongETag tells different bodies apart', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        fc.pre(Buffer.compare(a, b) !== 0);
        expect(strongETag(a)).not.toBe(strongETag(b));
      }),
    );
  });

  it('parseIfNoneMatch never throws, and gives * or well-formed tags only', () => {
    fc.assert(
      fc.property(hostile, (header) => {
        const tags = parseIfNoneMatch(header);
        if (tags !== '*') for (const t of tags) expect(t).toMatch(WELL_FORMED);
      }),
    );
  });

  it('ifNoneMatchMatches never throws on any header or stored tag', () => {
    fc.assert(
      fc.property(hostile, fc.oneof(tag, hostile), (header, etag) => {
        expect(typeof ifNoneMatchMatches(header, etag)).toBe('boolean');
      }),
    );
  });

  it('parseIfNoneMatch reads back every list of well-formed tags', () => {
    fc.assert(
      fc.property(
        fc
          .array(tag, { minLength: 1, maxLength: 6 })
          .chain((tags) => fc.tuple(fc.constant(tags), listOf(tags))),
        ([tags, header]) => {
          expect(parseIfNoneMatch(header)).toEqual(tags);
        },
      ),
    );
  });

  it('a tag matches itself, its weak and strong forms, *, and every list that holds it', () => {
    fc.assert(
      fc.property(
        opaque,
        fc.boolean(),
        fc.boolean(),
        fc.array(tag, { maxLength: 5 }),
        fc.nat(),
        ows,
        ows,
        (quoted, storedWeak, sentWeak, others, at, before, after) => {
          const stored = storedWeak ? `W/${quoted}` : quoted;
          const sent = sentWeak ? `W/${quoted}` : quoted;
          expect(ifNoneMatchMatches(sent, stored)).toBe(true);
          expect(ifNoneMatchMatches(`${before}*${after}`, stored)).toBe(true);
          const list = [...others];
          list.splice(at % (list.length + 1), 0, sent);
          expect(
            ifNoneMatchMatches(list.map((t) => `${before}${t}${after}`).join(','), stored),
          ).toBe(true);
        },
      ),
    );
  });

  it('weak comparison is symmetric', () => {
    fc.assert(
      fc.property(tag, tag, (a, b) => {
        expect(ifNoneMatchMatches(a, b)).toBe(ifNoneMatchMatches(b, a));
      }),
    );
  });

  it('a list without the tag never matches', () => {
    const strip = (t: string) => (t.startsWith('W/') ? t.slice(2) : t);
    fc.assert(
      fc.property(
        tag,
        fc.array(tag, { maxLength: 6 }).chain((tags) => fc.tuple(fc.constant(tags), listOf(tags))),
        (stored, [tags, header]) => {
          fc.pre(tags.every((t) => strip(t) !== strip(stored)));
          expect(ifNoneMatchMatches(header, stored)).toBe(false);
        },
      ),
    );
  });

  /** Ways to get the tag `"x"` wrong: each leaves the header without a valid `"x"` member. */
  const MALFORMED: Array<(quoted: string) => string> = [
    (q) => q.slice(1, -1), // unquoted
    (q) => q.slice(0, -1), // no closing quote
    (q) => q.slice(1), // no opening quote
    (q) => `w/${q}`, // the weak prefix is case-sensitive
    (q) => `W/ ${q}`, // no space after W/
    (q) => `W/${q.slice(1, -1)}`,
    (q) => `${q}x`, // junk after the tag
    (q) => `${q} ${q}`, // members without a comma
    (q) => `${q}W/${q}`,
    (q) => `${q.slice(0, -1)} "`, // a space inside
    (q) => `${q.slice(0, -1)}\x01"`, // a control character inside
    (q) => `${q.slice(0, -1)}\u0100"`, // beyond obs-text inside
    (q) => `${q.slice(0, -1)}""`, // a quote inside
  ];

  it('a malformed spelling of the tag never matches it, alone or after other members', () => {
    fc.assert(
      fc.property(
        opaque.filter((q) => q !== '"*"' && q !== '""'),
        fc.boolean(),
        fc.constantFrom(...MALFORMED.keys()),
        fc.array(tag, { maxLength: 3 }),
        (quoted, weak, which, before) => {
          const stored = weak ? `W/${quoted}` : quoted;
          const others = before.filter((t) => !t.endsWith(quoted));
          const header = [...others, MALFORMED[which]!(quoted)].join(', ');
          expect(ifNoneMatchMatches(header, stored)).toBe(false);
        },
      ),
    );
  });

  it('* matches only alone, never as a member of a list', () => {
    fc.assert(
      fc.property(
        tag,
        fc.array(tag, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (stored, others, starFirst) => {
          const strip = (t: string) => (t.startsWith('W/') ? t.slice(2) : t);
          fc.pre(others.every((t) => strip(t) !== strip(stored)));
          const list = starFirst ? ['*', ...others] : [...others, '*'];
          expect(ifNoneMatchMatches(list.join(', '), stored)).toBe(false);
        },
      ),
    );
  });

  it('a header longer than the limit matches nothing, not even the tag it holds', () => {
    fc.assert(
      fc.property(tag, fc.nat(4096), (stored, extra) => {
        const padding = ' '.repeat(MAX_IF_NONE_MATCH_LENGTH + 1 + extra - stored.length);
        expect(ifNoneMatchMatches(`${stored}${padding}`, stored)).toBe(false);
      }),
      { numRuns: 20 },
    );
  });
});
