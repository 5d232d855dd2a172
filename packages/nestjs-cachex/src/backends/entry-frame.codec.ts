import { type CacheEntry } from './cache-entry.js';

/** The version of a frame with the body alone: the only one a release before variants reads. */
const FRAME_VERSION = 1;
/** The version of a frame whose compressed variants follow the body (lengths in the metadata). */
const FRAME_WITH_VARIANTS = 2;

/**
 * The binary frame the Redis and Memcached backends store an entry in:
 * `[head][metadata length: u32 BE][metadata: JSON, UTF-8][body bytes]`. The
 * head opens with the frame's version (`frameVersion`), then whatever the
 * backend adds (for Redis a flags byte); the bodies follow raw, end to end,
 * so a 900 KB body costs 900 KB (no base64).
 */
export function encodeFrame(head: Buffer, metadata: unknown, ...bodies: Buffer[]): Buffer {
  const json = Buffer.from(JSON.stringify(metadata), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length, 0);
  return Buffer.concat([head, length, json, ...bodies]);
}

/** The codings and byte lengths of an entry's encoded variants, in the order they follow its body. */
export type VariantLengths = Array<[coding: string, bytes: number]>;

/**
 * An entry's bodies as a frame carries them: the body, then each encoded
 * variant; `lengths` (for the metadata) says where each variant is, and is
 * absent when there are none.
 */
export function frameBodies(entry: Pick<CacheEntry, 'body' | 'encoded'>): {
  bodies: Buffer[];
  lengths?: VariantLengths;
} {
  const codings = Object.keys(entry.encoded ?? {});
  if (codings.length === 0) return { bodies: [entry.body] };
  const variants = codings.map((coding) => entry.encoded![coding]!);
  return {
    bodies: [entry.body, ...variants],
    lengths: codings.map((coding, i) => [coding, variants[i]!.length]),
  };
}

/**
 * The version byte that opens the head of a frame of these bodies: 2 when
 * `frameBodies` gave variant lengths, else 1, so an entry without variants is
 * still read by a release that predates them.
 */
export function frameVersion(lengths: VariantLengths | undefined): number {
  return lengths ? FRAME_WITH_VARIANTS : FRAME_VERSION;
}

/**
 * Whether compressed variants follow the body in a frame of `version` (its
 * head's first byte); `undefined` for a version this release cannot read.
 */
export function frameHasVariants(version: number | undefined): boolean | undefined {
  if (version === FRAME_VERSION) return false;
  if (version === FRAME_WITH_VARIANTS) return true;
  return undefined;
}

/**
 * The body and the encoded variants back from the bytes after a frame's
 * metadata: without variants (`frameHasVariants`) all of it is the body;
 * with them, by the `lengths` `frameBodies` gave, which the frame must carry.
 * `undefined` when the lengths are missing, malformed or run past the bytes.
 */
export function splitBodies(
  bytes: Buffer,
  withVariants: boolean,
  lengths: unknown,
): Pick<CacheEntry, 'body' | 'encoded'> | undefined {
  if (!withVariants) return { body: bytes };
  if (!Array.isArray(lengths) || lengths.length === 0 || !lengths.every(isVariantLength)) {
    return undefined;
  }
  const total = lengths.reduce((sum: number, [, length]: [string, number]) => sum + length, 0);
  if (total > bytes.length) return undefined;
  let at = bytes.length - total;
  const body = bytes.subarray(0, at);
  const encoded: Record<string, Buffer> = {};
  for (const [coding, length] of lengths as VariantLengths) {
    encoded[coding] = bytes.subarray(at, (at += length));
  }
  return { body, encoded };
}

function isVariantLength(item: unknown): item is [string, number] {
  return (
    Array.isArray(item) &&
    typeof item[0] === 'string' &&
    Number.isInteger(item[1]) &&
    (item[1] as number) >= 0
  );
}

/**
 * Reads a frame whose head is `headBytes` long: its metadata and body, or
 * `undefined` when the bytes are too short, the length runs past them or the
 * metadata is not JSON. The caller checks the head itself.
 */
export function decodeFrame(
  bytes: Buffer,
  headBytes: number,
): { metadata: unknown; body: Buffer } | undefined {
  const metadataStart = headBytes + 4;
  if (bytes.length < metadataStart) return undefined;
  const metadataEnd = metadataStart + bytes.readUInt32BE(headBytes);
  if (metadataEnd > bytes.length) return undefined;
  try {
    const metadata: unknown = JSON.parse(bytes.toString('utf8', metadataStart, metadataEnd));
    return { metadata, body: bytes.subarray(metadataEnd) };
  } catch {
    return undefined;
  }
}
