import { type CacheEntry } from '../backends/cache-entry.js';
import { decodeFrame, encodeFrame } from '../backends/entry-frame.codec.js';

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
/** Version and flags: the frame's head (see `encodeFrame`). */
const HEAD_BYTES = 2;
const INVALIDATED = 0b1;

/** Offset of the flags byte; a soft purge writes `INVALIDATED_FLAGS` there. */
export const FLAGS_OFFSET = 1;
/** The flags byte of an invalidated entry, as Lua writes it: `string.char(1)`. */
export const INVALIDATED_FLAGS = INVALIDATED;

/** Encodes an entry into the bytes stored in Redis. */
export function encodeEntry(entry: CacheEntry): Buffer {
  const { body, invalidated, ...metadata } = entry;
  const head = Buffer.from([FORMAT_VERSION, invalidated ? INVALIDATED : 0]);
  return encodeFrame(head, metadata, body);
}

/**
 * Decodes stored bytes; `undefined` for bytes this version cannot read (an
 * unknown format is a miss, not an error).
 */
export function decodeEntry(bytes: Buffer): CacheEntry | undefined {
  if (bytes[0] !== FORMAT_VERSION) return undefined;
  const frame = decodeFrame(bytes, HEAD_BYTES);
  if (!frame) return undefined;
  const entry = { ...(frame.metadata as Omit<CacheEntry, 'body'>), body: frame.body } as CacheEntry;
  if (bytes[FLAGS_OFFSET]! & INVALIDATED) entry.invalidated = true;
  return entry;
}
