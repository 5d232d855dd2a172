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

/**
 * Encodes an entry as one binary-safe buffer (see `encodeFrame`): the head is
 * the frame's version alone; the metadata is every field of the entry but its
 * bodies (`e`), its generations (`g`) and its variants' codings and lengths
 * (`v`, when it has any).
 */
export function encodeEntry(entry: CacheEntry, generations: EntryGenerations): Buffer {
  const { body, encoded, ...fields } = entry;
  const { bodies, lengths } = frameBodies({ body, encoded });
  const metadata = { e: fields, g: generations, ...(lengths && { v: lengths }) };
  return encodeFrame(Buffer.from([frameVersion(lengths)]), metadata, ...bodies);
}

/** Decodes `encodeEntry`'s output; `undefined` for anything else (another version, corruption). */
export function decodeEntry(stored: Buffer): StoredEntry | undefined {
  const withVariants = frameHasVariants(stored[0]);
  if (withVariants === undefined) return undefined;
  const frame = decodeFrame(stored, 1);
  const metadata = frame?.metadata as {
    e?: Omit<CacheEntry, 'body'>;
    g?: EntryGenerations;
    v?: unknown;
  } | null;
  if (typeof metadata?.e !== 'object' || metadata.e === null) return undefined;
  if (typeof metadata.g?.all !== 'string') return undefined;
  const bodies = splitBodies(frame!.body, withVariants, metadata.v);
  if (!bodies) return undefined;
  return { entry: { ...metadata.e, ...bodies }, generations: metadata.g };
}
