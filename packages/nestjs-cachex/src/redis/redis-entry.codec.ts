import { type CacheEntry } from '../backends/cache-entry.js';
import {
  decodeFrame,
  encodeFrame,
  frameBodies,
  frameHasVariants,
  frameVersion,
  splitBodies,
} from '../backends/entry-frame.codec.js';

/**
 * How `RedisBackend` stores one `CacheEntry` in one Redis string, binary-safe
 * and without base64:
 *
 * | bytes | content |
 * |---|---|
 * | 0 | format version: 1, or 2 when compressed variants follow the body |
 * | 1 | flags: bit 0 = invalidated (a soft purge sets it in place with `SETRANGE`) |
 * | 2..5 | length of the metadata, uint32 big-endian |
 * | 6.. | metadata: the entry's other fields as UTF-8 JSON |
 * | then | the body bytes, as they are |
 * | then | (version 2) each encoded variant's bytes; the metadata's `encodedBytes` lists their codings and lengths |
 *
 * An entry without variants keeps version 1, so a process of an older
 * release still reads it; one with variants reads as a miss there. Version
 * and flags are the frame's head (see `encodeFrame`).
 */
const HEAD_BYTES = 2;
const INVALIDATED = 0b1;

/** Offset of the flags byte; a soft purge writes `INVALIDATED_FLAGS` there. */
export const FLAGS_OFFSET = 1;
/** The flags byte of an invalidated entry, as Lua writes it: `string.char(1)`. */
export const INVALIDATED_FLAGS = INVALIDATED;

/** Encodes an entry into the bytes stored in Redis. */
export function encodeEntry(entry: CacheEntry): Buffer {
  const { body, encoded, invalidated, ...metadata } = entry;
  const { bodies, lengths } = frameBodies({ body, encoded });
  const head = Buffer.from([frameVersion(lengths), invalidated ? INVALIDATED : 0]);
  return encodeFrame(head, lengths ? { ...metadata, encodedBytes: lengths } : metadata, ...bodies);
}

/**
 * Decodes stored bytes; `undefined` for bytes this version cannot read (an
 * unknown format is a miss, not an error).
 */
export function decodeEntry(bytes: Buffer): CacheEntry | undefined {
  const withVariants = frameHasVariants(bytes[0]);
  if (withVariants === undefined) return undefined;
  const frame = decodeFrame(bytes, HEAD_BYTES);
  if (!frame) return undefined;
  const { encodedBytes, ...fields } = frame.metadata as Omit<CacheEntry, 'body'> & {
    encodedBytes?: unknown;
  };
  const bodies = splitBodies(frame.body, withVariants, encodedBytes);
  if (!bodies) return undefined;
  const entry: CacheEntry = { ...fields, ...bodies };
  if (bytes[FLAGS_OFFSET]! & INVALIDATED) entry.invalidated = true;
  return entry;
}
