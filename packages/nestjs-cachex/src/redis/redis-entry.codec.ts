import { type CacheEntry } from '../backends/cache-entry.js';

/**
 * How `RedisBackend` stores one `CacheEntry` in one Redis string, binary-safe
 * and without base64:
 *
 * | bytes | content |
 * |---|---|
 * | 0 | format version (1) |
 * | 1 | flags: bit 0 = invalidated (a soft purge sets it in place with `SETRANGE`) |
 * | 2..5 | length of the metadata, uint32 big-endian |
 * | 6.. | metadata: the entry's other fields as UTF-8 JSON |
 * | then | the body bytes, as they are |
 */
const FORMAT_VERSION = 1;
const HEADER_BYTES = 6;
const INVALIDATED = 0b1;

/** Offset of the flags byte; a soft purge writes `INVALIDATED_FLAGS` there. */
export const FLAGS_OFFSET = 1;
/** The flags byte of an invalidated entry, as Lua writes it: `string.char(1)`. */
export const INVALIDATED_FLAGS = INVALIDATED;

/** Encodes an entry into the bytes stored in Redis. */
export function encodeEntry(entry: CacheEntry): Buffer {
  const { body, invalidated, ...metadata } = entry;
  const json = Buffer.from(JSON.stringify(metadata), 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = FORMAT_VERSION;
  header[FLAGS_OFFSET] = invalidated ? INVALIDATED : 0;
  header.writeUInt32BE(json.length, 2);
  return Buffer.concat([header, json, body]);
}

/**
 * Decodes stored bytes; `undefined` for bytes this version cannot read (an
 * unknown format is a miss, not an error).
 */
export function decodeEntry(bytes: Buffer): CacheEntry | undefined {
  if (bytes.length < HEADER_BYTES || bytes[0] !== FORMAT_VERSION) return undefined;
  const bodyStart = HEADER_BYTES + bytes.readUInt32BE(2);
  if (bodyStart > bytes.length) return undefined;
  let metadata: Omit<CacheEntry, 'body'>;
  try {
    metadata = JSON.parse(bytes.toString('utf8', HEADER_BYTES, bodyStart));
  } catch {
    return undefined;
  }
  const entry: CacheEntry = { ...metadata, body: bytes.subarray(bodyStart) };
  if (bytes[FLAGS_OFFSET]! & INVALIDATED) entry.invalidated = true;
  return entry;
}
