import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { type CacheEntry } from '../backends/cache-entry.js';
import { RateLimitedLogger } from '../common/rate-limited-logger.js';
import { defaultKeyBuilder } from '../http/cache-key.js';
import { type CacheOptions } from './cache.options.js';
import { resolveModuleOptions } from './cache-module.options.js';
import { compressesEntry, withCompressedVariants } from './compressed-variants.js';
import { resolveRoutePolicy } from './route-policy.js';

const module = resolveModuleOptions({});
const policyOf = (route: CacheOptions = { ttl: 60 }) =>
  resolveRoutePolicy(route, module, defaultKeyBuilder);
const json = Buffer.from(
  JSON.stringify(Array.from({ length: 200 }, (_, id) => ({ id, name: `item ${id}` }))),
);
const entry = (headers: Record<string, string>, body = json): CacheEntry => ({
  status: 200,
  headers: { etag: '"e"', ...headers },
  body,
  storedAt: 0,
  maxAge: 60,
});
const jsonEntry = entry({ 'content-type': 'application/json; charset=utf-8' });
const log = new RateLimitedLogger('compressed-variants.spec');

describe('compressesEntry: which bodies get compressed variants', () => {
  it('a shared body of a compressible type, of at least minBytes', () => {
    expect(json.length).toBeGreaterThanOrEqual(1024);
    expect(compressesEntry(jsonEntry, policyOf(), module.compression)).toBe(true);
    expect(
      compressesEntry(entry({ 'content-type': 'text/html' }), policyOf(), module.compression),
    ).toBe(true);
  });

  it('not with compression off, nor under minBytes', () => {
    expect(compressesEntry(jsonEntry, policyOf(), false)).toBe(false);
    const small = entry({ 'content-type': 'text/plain' }, Buffer.alloc(1023, 'a'));
    expect(compressesEntry(small, policyOf(), module.compression)).toBe(false);
    const zero = { encodings: ['gzip' as const], minBytes: 0 };
    expect(compressesEntry({ ...small, body: Buffer.alloc(0) }, policyOf(), zero)).toBe(false);
  });

  it('not for incompressible types, or no type at all', () => {
    for (const type of ['image/png', 'application/octet-stream', undefined]) {
      const other = entry(type ? { 'content-type': type } : {});
      expect(compressesEntry(other, policyOf(), module.compression)).toBe(false);
    }
  });

  it('not for a body the handler encoded itself', () => {
    const encoded = entry({ 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    expect(compressesEntry(encoded, policyOf(), module.compression)).toBe(false);
  });

  it('not on private or noTransform routes', () => {
    expect(compressesEntry(jsonEntry, policyOf({ private: true }), module.compression)).toBe(false);
    expect(compressesEntry(jsonEntry, policyOf({ noTransform: true }), module.compression)).toBe(
      false,
    );
  });
});

describe('withCompressedVariants', () => {
  it('compresses the body once per coding, in the configured order, each decoding to the body', async () => {
    const stored = await withCompressedVariants(jsonEntry, policyOf(), module.compression, log);
    expect(Object.keys(stored.encoded!)).toEqual(['br', 'gzip']);
    expect(brotliDecompressSync(stored.encoded!['br']!).equals(json)).toBe(true);
    expect(gunzipSync(stored.encoded!['gzip']!).equals(json)).toBe(true);
    expect(stored.body).toBe(json);
    expect(jsonEntry.encoded).toBeUndefined();
  });

  it('keeps the configured codings only, in their order', async () => {
    const only = { encodings: ['gzip' as const, 'br' as const], minBytes: 10 };
    const stored = await withCompressedVariants(jsonEntry, policyOf(), only, log);
    expect(Object.keys(stored.encoded!)).toEqual(['gzip', 'br']);
  });

  it('returns an entry that does not compress as it is', async () => {
    const png = entry({ 'content-type': 'image/png' });
    expect(await withCompressedVariants(png, policyOf(), module.compression, log)).toBe(png);
  });

  it('leaves out a coding that would not make the body smaller', async () => {
    const noise = entry(
      { 'content-type': 'text/plain' },
      Buffer.from(crypto.getRandomValues(new Uint8Array(4096))),
    );
    const stored = await withCompressedVariants(noise, policyOf(), module.compression, log);
    expect(stored.encoded).toBeUndefined();
  });
});

describe('the compression option', () => {
  it('defaults to br and gzip from 1024 bytes, and turns off with false', () => {
    expect(resolveModuleOptions({}).compression).toEqual({
      encodings: ['br', 'gzip'],
      minBytes: 1024,
    });
    expect(resolveModuleOptions({ compression: false }).compression).toBe(false);
    expect(resolveModuleOptions({ compression: { minBytes: 0 } }).compression).toEqual({
      encodings: ['br', 'gzip'],
      minBytes: 0,
    });
  });

  it.each([
    [{ encodings: [] }, 'compression.encodings'],
    [{ encodings: ['deflate'] }, 'compression.encodings'],
    [{ encodings: ['gzip', 'gzip'] }, 'compression.encodings'],
    [{ minBytes: -1 }, 'compression.minBytes'],
    [{ minBytes: 1.5 }, 'compression.minBytes'],
    ['yes', 'compression'],
  ])('refuses %j, naming `%s`', (option, name) => {
    expect(() => resolveModuleOptions({ compression: option as never })).toThrow(`\`${name}\``);
  });
});
