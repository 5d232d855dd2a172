import { randomBytes } from 'node:crypto';
import { type CacheEntry } from '../backends/cache-entry.js';
import { decodeEntry, encodeEntry, FLAGS_OFFSET, INVALIDATED_FLAGS } from './redis-entry.codec.js';

const entry: CacheEntry = {
  status: 200,
  headers: { 'content-type': 'application/octet-stream', etag: '"abc"' },
  body: randomBytes(4096),
  storedAt: 1_700_000_000_000,
  maxAge: 60,
  staleWhileRevalidate: 30,
  tags: ['product:1'],
  path: '/products/1',
  query: 'ü=☃',
};

describe('Redis entry codec', () => {
  it('round-trips every field and the exact body bytes', () => {
    const decoded = decodeEntry(encodeEntry(entry));
    expect(decoded).toEqual(entry);
    expect(Buffer.compare(decoded!.body, entry.body)).toBe(0);
  });

  it('stores the body raw: the overhead is the metadata only', () => {
    const encoded = encodeEntry(entry);
    const metadata = JSON.stringify({ ...entry, body: undefined });
    expect(encoded.length).toBe(6 + Buffer.byteLength(metadata) + entry.body.length);
  });

  it('keeps the invalidated flag in the flags byte, where a soft purge writes it', () => {
    const encoded = encodeEntry(entry);
    expect(decodeEntry(encoded)!.invalidated).toBeUndefined();
    encoded[FLAGS_OFFSET] = INVALIDATED_FLAGS;
    expect(decodeEntry(encoded)!.invalidated).toBe(true);
    expect(decodeEntry(encodeEntry({ ...entry, invalidated: true }))!.invalidated).toBe(true);
  });

  it('round-trips an empty body', () => {
    expect(decodeEntry(encodeEntry({ ...entry, body: Buffer.alloc(0) }))!.body.length).toBe(0);
  });

  it('reads unknown or damaged bytes as a miss', () => {
    expect(decodeEntry(Buffer.from('not an entry'))).toBeUndefined();
    expect(decodeEntry(Buffer.alloc(3))).toBeUndefined();
    const truncated = encodeEntry(entry).subarray(0, 20);
    expect(decodeEntry(truncated)).toBeUndefined();
  });

  it('round-trips compressed variants after the body, as version 2; an entry without stays version 1', () => {
    const encoded = { br: randomBytes(300), gzip: randomBytes(500) };
    const bytes = encodeEntry({ ...entry, encoded });
    expect(bytes[0]).toBe(2);
    const decoded = decodeEntry(bytes)!;
    expect(decoded).toEqual({ ...entry, encoded });
    expect(Object.keys(decoded.encoded!)).toEqual(['br', 'gzip']);
    expect(encodeEntry(entry)[0]).toBe(1);
    expect(decodeEntry(encodeEntry(entry))!.encoded).toBeUndefined();
  });

  it('reads a version 2 head without variant lengths as a miss', () => {
    const bytes = encodeEntry(entry);
    bytes[0] = 2;
    expect(decodeEntry(bytes)).toBeUndefined();
  });
});
