import { type CacheEntry } from '../backends/cache-entry.js';
import { decodeFrame, encodeFrame } from '../backends/entry-frame.codec.js';

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

/** First byte of every stored entry (the frame's head); bumped when the layout changes (old ones then read as misses). */
const FORMAT_VERSION = 1;

/**
 * Encodes an entry as one binary-safe buffer (see `encodeFrame`): the
 * metadata is every field of the entry but the body, plus its generations.
 */
export function encodeEntry(entry: CacheEntry, generations: EntryGenerations): Buffer {
  const { body, ...fields } = entry;
  return encodeFrame(Buffer.from([FORMAT_VERSION]), { e: fields, g: generations }, body);
}

/** Decodes `encodeEntry`'s output; `undefined` for anything else (another version, corruption). */
export function decodeEntry(stored: Buffer): StoredEntry | undefined {
  if (stored[0] !== FORMAT_VERSION) return undefined;
  const frame = decodeFrame(stored, 1);
  const metadata = frame?.metadata as { e?: Omit<CacheEntry, 'body'>; g?: EntryGenerations } | null;
  if (typeof metadata?.e !== 'object' || metadata.e === null) return undefined;
  if (typeof metadata.g?.all !== 'string') return undefined;
  return { entry: { ...metadata.e, body: frame!.body }, generations: metadata.g };
}
