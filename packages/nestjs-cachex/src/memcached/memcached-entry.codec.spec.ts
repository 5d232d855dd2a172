import { randomBytes } from 'node:crypto';
import { type CacheEntry } from '../backends/cache-entry.js';
import { decodeEntry, encodeEntry } from './memcached-entry.codec.js';

const entry: CacheEntry = {
  status: 200,
  headers: { 'content-type': 'application/octet-stream', 'x-unicode': 'żółw 🐢' },
  body: randomBytes(4096),
  storedAt: 1_700_000_000_000,
  maxAge: 60,
  staleWhileRevalidate: 10,
  tags: ['a'],
  path: '/p',
  query: '',
};
const generations = { all: 'A.a', location: 'L.l', tags: ['T.t'] };

describe('memcached entry codec', () => {
  it('round-trips every field and the body bytes', () => {
    expect(decodeEntry(encodeEntry(entry, generations))).toEqual({ entry, generations });
  });

  it('stores the body raw: the overhead is the metadata only', () => {
    const big = { ...entry, body: randomBytes(100_000) };
    const encoded = encodeEntry(big, generations);
    expect(encoded.length - big.body.length).toBeLessThan(400);
    expect(encoded.subarray(encoded.length - big.body.length).equals(big.body)).toBe(true);
  });

  it('reads anything else as undefined', () => {
    const encoded = encodeEntry(entry, generations);
    expect(decodeEntry(Buffer.alloc(0))).toBeUndefined();
    expect(decodeEntry(Buffer.from('plain text'))).toBeUndefined();
    expect(decodeEntry(Buffer.concat([Buffer.from([2]), encoded.subarray(1)]))).toBeUndefined();
    expect(decodeEntry(encoded.subarray(0, 20))).toBeUndefined();
    const garbled = Buffer.from(encoded);
    garbled.write('}', 6);
    expect(decodeEntry(garbled)).toBeUndefined();
  });

  it('round-trips compressed variants after the body, in their order', () => {
    const encoded = { br: randomBytes(300), gzip: randomBytes(500) };
    const bytes = encodeEntry({ ...entry, encoded }, generations);
    expect(bytes[0]).toBe(2);
    const decoded = decodeEntry(bytes)!;
    expect(decoded).toEqual({ entry: { ...entry, encoded }, generations });
    expect(Object.keys(decoded.entry.encoded!)).toEqual(['br', 'gzip']);
    expect(bytes.length).toBeLessThan(4096 + 800 + 400);
  });
});
