import fc from 'fast-check';
import { hostileText } from '../../../../test/support/hostile-text.js';
import { parseCookies } from './cookie.js';

describe('parseCookies', () => {
  it.each([
    ['a=1; b=2', { a: '1', b: '2' }],
    ['  a = 1 ;b=2;', { a: '1', b: '2' }],
    ['a="quoted"', { a: 'quoted' }],
    ['a=%E2%9C%93', { a: '✓' }],
    ['a=%E2%9C', { a: '%E2%9C' }],
    ['a=1; a=2', { a: '1' }],
    ['novalue; =empty; b=', { b: '' }],
    ['a=x=y', { a: 'x=y' }],
    ['', {}],
  ])('%j gives %j', (header, cookies) => {
    expect(Object.fromEntries(parseCookies(header))).toEqual(cookies);
  });
});

/** Hostile text (see `hostileText`) with the characters and escapes that structure the header. */
const hostile = hostileText([
  ';',
  '=',
  '"',
  ' ',
  '\t',
  '%',
  '%2',
  '%zz',
  '%C3%A9',
  'a',
  '__proto__',
]);

describe('parseCookies properties', () => {
  /** A cookie name: an RFC 9110 token. */
  const name = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,8}$/);
  /** Whitespace a browser or a proxy may put around a pair. */
  const ows = fc.stringMatching(/^[ \t]{0,2}$/);
  /** Cookie pairs with random spacing, the first of each name being the one that counts. */
  const header = (value: fc.Arbitrary<string>) =>
    fc.array(fc.tuple(name, value, ows, ows), { maxLength: 6 }).map((pairs) => ({
      text: pairs.map(([n, v, before, after]) => `${before}${n}=${v}${after}`).join(';'),
      first: pairs.reduce(
        (map, [n, v]) => (map.has(n) ? map : map.set(n, v)),
        new Map<string, string>(),
      ),
    }));

  it('never throws; names are non-empty and trimmed, values without a ; as received', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        for (const [n, v] of parseCookies(text)) {
          expect(n).not.toBe('');
          expect(n).toBe(n.trim());
          expect(n).not.toMatch(/[;=]/);
          if (!text.includes('%')) expect(v).not.toContain(';');
        }
      }),
    );
  });

  it('reads back plain values, the first of each name', () => {
    // cookie-octet (RFC 6265 §4.1.1) less `%`, which would be decoded.
    const plain = fc.stringMatching(/^[!#$&-+\--:<-[\]-~]{0,10}$/);
    fc.assert(
      fc.property(header(plain), ({ text, first }) => {
        expect(parseCookies(text)).toEqual(first);
      }),
    );
  });

  it('reads back any Unicode value percent-encoded, quoted or not', () => {
    const encoded = fc
      .tuple(fc.string({ unit: 'binary', maxLength: 10 }), fc.boolean())
      .map(([v, quoted]) => ({
        v,
        sent: quoted ? `"${encodeURIComponent(v)}"` : encodeURIComponent(v),
      }));
    fc.assert(
      fc.property(fc.array(fc.tuple(name, encoded), { maxLength: 6 }), (pairs) => {
        const expected = new Map<string, string>();
        for (const [n, { v }] of pairs) if (!expected.has(n)) expected.set(n, v);
        expect(parseCookies(pairs.map(([n, { sent }]) => `${n}=${sent}`).join('; '))).toEqual(
          expected,
        );
      }),
    );
  });

  it('keeps a value whose percent-encoding is broken as it came', () => {
    const broken = fc
      .tuple(fc.stringMatching(/^[a-z]{0,4}$/), fc.constantFrom('%', '%2', '%zz', '%E2%9C', '%FF'))
      .map(([text, escape]) => `${text}${escape}`);
    fc.assert(
      fc.property(name, broken, (n, v) => {
        expect(parseCookies(`${n}=${v}`).get(n)).toBe(v);
      }),
    );
  });

  it('does not let a name like __proto__ reach the prototype', () => {
    const cookies = parseCookies('__proto__=1; constructor=2; toString=3');
    expect(Object.getPrototypeOf(cookies)).toBe(Map.prototype);
    expect([...cookies]).toEqual([
      ['__proto__', '1'],
      ['constructor', '2'],
      ['toString', '3'],
    ]);
  });
});
