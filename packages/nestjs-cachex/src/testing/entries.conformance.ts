import { describe, expect, it } from './jest-globals.js';
import {
  type ConformanceContext,
  bodyOf,
  entry,
  key,
  present,
  sleep,
  textEntry,
} from './conformance.kit.js';

/** A body large enough to cross buffer and packet sizes, small enough for memcached's 1 MiB items. */
const LARGE_BODY_BYTES = 512 * 1024;

/**
 * Keys a custom `keyBuilder` or a hostile request can produce: extra and
 * empty separators, escapes, spaces, line breaks, hash-tag braces, unicode,
 * and very long keys that differ only at one end.
 */
const HOSTILE_KEYS = [
  key('/a', 'b|||c'),
  key('/a|||b|||c'),
  key('/a', 'b') + '|||',
  '|||',
  '||||||',
  'GET||||||/a|||',
  key('/a%7C%7C%7Cb'),
  'custom key with spaces',
  'line\r\nbreak',
  'brace {slot} tag',
  key('/żółw/🐢', 'q=ü'),
  '🐢',
  key(`/long/${'x'.repeat(2000)}`, 'a=1'),
  key(`/long/${'x'.repeat(2000)}`, 'a=2'),
  key(`/long/${'y'.repeat(2000)}`, 'a=1'),
];

/** Storing, reading, replacing, deleting and expiring entries, whatever their keys and bodies. */
export function describeEntries(ctx: ConformanceContext): void {
  describe('entries', () => {
    it('round-trips every field of an entry', async () => {
      const stored = entry({
        status: 203,
        tags: ['t1', 'tag with spaces'],
        staleWhileRevalidate: 5,
        staleIfError: 30,
        path: '/p',
        query: 'a=1',
        varyValues: { 'accept-language': 'fr' },
      });
      await ctx.backend().set(key('/p', 'a=1'), stored);
      const { body, invalidated, ...found } = present(await ctx.backend().get(key('/p', 'a=1')));
      const { body: storedBody, ...expected } = stored;
      expect(Buffer.isBuffer(body)).toBe(true);
      expect(Buffer.compare(body, storedBody)).toBe(0);
      expect(found).toEqual(expected);
      expect(invalidated).toBeFalsy();
    });

    it('round-trips a Vary marker (no body, varyOn)', async () => {
      const marker = entry({ body: Buffer.alloc(0), varyOn: ['accept', 'x-tenant'] });
      await ctx.backend().set(key('/vary'), marker);
      const found = present(await ctx.backend().get(key('/vary')));
      expect(found.body.length).toBe(0);
      expect(found.varyOn).toEqual(['accept', 'x-tenant']);
    });

    it('round-trips a binary body byte for byte', async () => {
      const everyByte = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7) % 256));
      await ctx.backend().set(key('/binary'), entry({ body: everyByte }));
      await ctx.backend().set(key('/empty'), entry({ body: Buffer.alloc(0) }));
      const found = present(await ctx.backend().get(key('/binary')));
      expect(found.body.equals(everyByte)).toBe(true);
      expect(present(await ctx.backend().get(key('/empty'))).body.length).toBe(0);
    });

    it('round-trips compressed variants byte for byte, in their order, beside the body', async () => {
      const body = Buffer.from('{"body":"identity"}');
      const encoded = {
        br: Buffer.from([0x8b, 0, 255, 10]),
        gzip: Buffer.from([0x1f, 0x8b, 8, 0, 13]),
      };
      await ctx.backend().set(key('/variants'), entry({ body, encoded }));
      const found = present(await ctx.backend().get(key('/variants')));
      expect(found.body.equals(body)).toBe(true);
      expect(Object.keys(found.encoded ?? {})).toEqual(['br', 'gzip']);
      expect(Buffer.isBuffer(found.encoded!['br'])).toBe(true);
      expect(found.encoded!['br']!.equals(encoded.br)).toBe(true);
      expect(found.encoded!['gzip']!.equals(encoded.gzip)).toBe(true);
    });

    it(`round-trips a large body (${LARGE_BODY_BYTES / 1024} KiB)`, async () => {
      const large = Buffer.alloc(LARGE_BODY_BYTES);
      for (let i = 0; i < large.length; i++) large[i] = (i * 31 + (i >> 8)) % 256;
      await ctx.backend().set(key('/large'), entry({ body: large }));
      const found = present(await ctx.backend().get(key('/large')));
      expect(found.body.length).toBe(LARGE_BODY_BYTES);
      expect(found.body.equals(large)).toBe(true);
    });

    it('answers undefined for a missing key; delete() removes one key and says whether there was one', async () => {
      const backend = ctx.backend();
      expect(await backend.get(key('/missing'))).toBeUndefined();
      await backend.set(key('/d'), entry());
      await backend.set(key('/d', 'kept'), entry());
      expect(await backend.delete(key('/d'))).toBe(true);
      expect(await backend.get(key('/d'))).toBeUndefined();
      expect(await backend.delete(key('/d'))).toBe(false);
      expect(await backend.get(key('/d', 'kept'))).toBeDefined();
    });

    it('set() replaces the entry under a key', async () => {
      await ctx.backend().set(key('/r'), textEntry('first', { tags: ['old'] }));
      await ctx.backend().set(key('/r'), textEntry('second'));
      const found = present(await ctx.backend().get(key('/r')));
      expect(found.body.toString()).toBe('second');
      expect(found.tags ?? []).toEqual([]);
    });

    it('keeps unicode keys and paths apart', async () => {
      await ctx.backend().set(key('/żółw/🐢', 'q=ü'), textEntry('turtle'));
      await ctx.backend().set(key('/zolw/🐢', 'q=ü'), textEntry('other'));
      expect(await bodyOf(ctx.backend(), key('/żółw/🐢', 'q=ü'))).toBe('turtle');
      expect(await bodyOf(ctx.backend(), key('/zolw/🐢', 'q=ü'))).toBe('other');
    });

    it('stores hostile keys (separators, escapes, line breaks, unicode, 2 KB keys) apart, as given', async () => {
      const backend = ctx.backend();
      expect(new Set(HOSTILE_KEYS).size).toBe(HOSTILE_KEYS.length);
      for (const [i, k] of HOSTILE_KEYS.entries()) await backend.set(k, textEntry(`entry ${i}`));
      for (const [i, k] of HOSTILE_KEYS.entries())
        expect(await bodyOf(backend, k)).toBe(`entry ${i}`);
      expect(await backend.delete(HOSTILE_KEYS[0]!)).toBe(true);
      expect(await backend.get(HOSTILE_KEYS[0]!)).toBeUndefined();
      for (const k of HOSTILE_KEYS.slice(1)) expect(await backend.get(k)).toBeDefined();
    });

    it('expires an entry after ttlSeconds, or after its own lifetime when none is given', async () => {
      const backend = ctx.backend();
      await backend.set(key('/ttl'), entry({ maxAge: 60 }), 1);
      await backend.set(key('/lifetime'), entry({ maxAge: 1 }));
      await backend.set(key('/stale-window'), entry({ maxAge: 1, staleWhileRevalidate: 30 }));
      await backend.set(key('/stale-if-error'), entry({ maxAge: 1, staleIfError: 30 }));
      expect(await backend.get(key('/ttl'))).toBeDefined();
      expect(await backend.get(key('/lifetime'))).toBeDefined();
      await sleep(2100);
      expect(await backend.get(key('/ttl'))).toBeUndefined();
      expect(await backend.get(key('/lifetime'))).toBeUndefined();
      expect(await backend.get(key('/stale-window'))).toBeDefined();
      expect(await backend.get(key('/stale-if-error'))).toBeDefined();
    });
  });
}

export { HOSTILE_KEYS };
