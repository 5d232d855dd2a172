/**
 * Hostile text for the property tests of the pure rules (header parsers, key
 * builders, matchers, token codecs): one arbitrary, tuned per spec by the
 * characters that structure its input.
 */
import fc from 'fast-check';

/** How one spec tunes {@link hostileText}; each default is what most specs use. */
export interface HostileTextOptions {
  /** Longest binary string and longest string of any UTF-16 code units. @defaultValue 40 */
  maxLength?: number;
  /**
   * Most structural pieces in one string (when `structure` lists them; an
   * arbitrary brings its own lengths). @defaultValue 20
   */
  structureMaxLength?: number;
  /** Longest very long value, in UTF-16 code units (give or take one repeat). @defaultValue 100_000 */
  longUpTo?: number;
  /** Longest text that is repeated to make the very long value. @defaultValue 8 */
  repeatMaxLength?: number;
  /**
   * What the repeated text is made of: any Unicode (`'binary'`), or the
   * structural pieces (`'structure'`; with `structure` an arbitrary, the
   * non-empty texts it makes). @defaultValue 'binary'
   */
  repeatFrom?: 'binary' | 'structure';
  /**
   * Relative weights of the four kinds of text, in this order: binary,
   * structural, any code units, very long. A kind weighted 0 is left out.
   * @defaultValue [3, 3, 2, 1]
   */
  weights?: readonly [binary: number, structural: number, codeUnits: number, long: number];
}

/** Any UTF-16 code unit: lone surrogates and control characters included. */
const codeUnit = fc.nat(0xffff).map((c) => String.fromCharCode(c));

/** Whether `structure` lists its pieces (`Array.isArray` does not narrow a readonly array). */
const isList = (
  structure: readonly string[] | fc.Arbitrary<string>,
): structure is readonly string[] => Array.isArray(structure);

/**
 * Text no client is kind enough to send, to throw at code that parses or
 * matches what a client controls. It mixes four kinds of text:
 *
 * - binary strings: any Unicode, up to `maxLength` characters;
 * - structural strings: strings of the spec's own `structure` pieces (the
 *   delimiters, quotes, keywords and escapes its input is made of), up to
 *   `structureMaxLength` of them, so that the odd arrangements a parser must
 *   survive (empty parts, doubled delimiters, unclosed quotes) turn up often,
 *   which random Unicode alone almost never gives; or, with `structure` an
 *   arbitrary, the texts that arbitrary makes;
 * - any UTF-16 code units, up to `maxLength`: lone surrogates and control
 *   characters, which `'binary'` strings (always well-formed) never hold;
 * - now and then a very long value: a short text repeated to about
 *   `longUpTo` code units, for what is slow or breaks only at length.
 *
 * @param structure the characters or tokens that structure the spec's input,
 *   or an arbitrary of structural text when a list cannot say it
 * @param options lengths and weights where a spec needs its own
 */
export function hostileText(
  structure: readonly string[] | fc.Arbitrary<string>,
  options: HostileTextOptions = {},
): fc.Arbitrary<string> {
  const {
    maxLength = 40,
    structureMaxLength = 20,
    longUpTo = 100_000,
    repeatMaxLength = 8,
    repeatFrom = 'binary',
    weights = [3, 3, 2, 1],
  } = options;
  let structural: fc.Arbitrary<string>;
  let structuralRepeat: fc.Arbitrary<string>;
  if (isList(structure)) {
    const piece = fc.constantFrom(...structure);
    structural = fc.string({ unit: piece, maxLength: structureMaxLength });
    structuralRepeat = fc.string({ unit: piece, minLength: 1, maxLength: repeatMaxLength });
  } else {
    structural = structure;
    structuralRepeat = structure.filter((text) => text.length > 0);
  }
  const repeated =
    repeatFrom === 'binary'
      ? fc.string({ unit: 'binary', minLength: 1, maxLength: repeatMaxLength })
      : structuralRepeat;
  const kinds = [
    fc.string({ unit: 'binary', maxLength }),
    structural,
    fc.string({ unit: codeUnit, maxLength }),
    fc
      .tuple(repeated, fc.nat(longUpTo))
      .map(([text, length]) => text.repeat(Math.ceil(length / text.length))),
  ];
  return fc.oneof(
    ...kinds
      .map((arbitrary, i) => ({ weight: weights[i]!, arbitrary }))
      .filter(({ weight }) => weight > 0),
  );
}
