import { type CacheEntry } from '../backends/cache-entry.js';

/**
 * The generations an entry was written under (each formatted `hard.soft`):
 * the whole cache's, its location's (absent when its key has no path), and
 * one per tag, in the order of `entry.tags`.
 */
export interface EntryGenerations {
  all: string;
  location?: string;
  tags?: string[];
}

/** An entry as read back, with the generations it was written under. */
export interface StoredEntry {
  entry: CacheEntry;
  generations: EntryGenerations;
}

/** First byte of every stored entry; bumped when the layout changes (old ones then read as misses). */
const FORMAT_VERSION = 1;
const HEADER_BYTES = 5; // version (1) + metadata length (4, big-endian)

/**
 * Encodes an entry as one binary-safe buffer:
 * `[version: u8][metadata length: u32 BE][metadata: JSON, UTF-8][body bytes]`.
 * The metadata is every field of the entry but the body, plus its generations;
 * the body follows raw, so a 900 KB body costs 900 KB (no base64).
 */
export function encodeEntry(entry: CacheEntry, generations: EntryGenerations): Buffer {
  const { body, ...fields } = entry;
  const metadata = Buffer.from(JSON.stringify({ e: fields, g: generations }), 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(FORMAT_VERSION, 0);
  header.writeUInt32BE(metadata.length, 1);
  return Buffer.concat([header, metadata, body]);
}

/** Decodes `encodeEntry`'s output; `undefined` for anything else (another version, corruption). */
export function decodeEntry(stored: Buffer): StoredEntry | undefined {
  if (stored.length < HEADER_BYTES || stored.readUInt8(0) !== FORMAT_VERSION) return undefined;
  const metadataEnd = HEADER_BYTES + stored.readUInt32BE(1);
  if (metadataEnd > stored.length) return undefined;
  let metadata: { e?: Omit<CacheEntry, 'body'>; g?: EntryGenerations };
  try {
    metadata = JSON.parse(stored.toString('utf8', HEADER_BYTES, metadataEnd));
  } catch {
    return undefined;
  }
  if (typeof metadata?.e !== 'object' || metadata.e === null) return undefined;
  if (typeof metadata.g?.all !== 'string') return undefined;
  return {
    entry: { ...metadata.e, body: stored.subarray(metadataEnd) },
    generations: metadata.g,
  };
}
