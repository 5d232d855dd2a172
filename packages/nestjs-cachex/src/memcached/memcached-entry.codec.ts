import { type CacheEntry } from '../backends/cache-entry.js';
import {
  decodeFrame,
  encodeFrame,
  frameBodies,
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

/** First byte of every stored entry (the frame's head); bumped when the layout changes (old ones then read as misses). */
const FORMAT_VERSION = 1;
/**
 * The head of an entry whose compressed variants follow its body (their
 * codings and lengths in the metadata's `v`); an entry without keeps
 * version 1, which an older release still reads.
 */
const FORMAT_WITH_VARIANTS = 2;

/**
 * Encodes an entry as one binary-safe buffer (see `encodeFrame`): the
 * metadata is every field of the entry but its bodies, plus its generations.
 */
export function encodeEntry(entry: CacheEntry, generations: EntryGenerations): Buffer {
  const { body, encoded, ...fields } = entry;
  const { bodies, lengths } = frameBodies({ body, encoded });
  const version = lengths ? FORMAT_WITH_VARIANTS : FORMAT_VERSION;
  const metadata = { e: fields, g: generations, ...(lengths && { v: lengths }) };
  return encodeFrame(Buffer.from([version]), metadata, ...bodies);
}

/** Decodes `encodeEntry`'s output; `undefined` for anything else (another version, corruption). */
export function decodeEntry(stored: Buffer): StoredEntry | undefined {
  const version = stored[0];
  if (version !== FORMAT_VERSION && version !== FORMAT_WITH_VARIANTS) return undefined;
  const frame = decodeFrame(stored, 1);
  const metadata = frame?.metadata as {
    e?: Omit<CacheEntry, 'body'>;
    g?: EntryGenerations;
    v?: unknown;
  } | null;
  if (typeof metadata?.e !== 'object' || metadata.e === null) return undefined;
  if (typeof metadata.g?.all !== 'string') return undefined;
  // Version 1 has no variants; version 2 must list them.
  const variants = version === FORMAT_WITH_VARIANTS ? (metadata.v ?? null) : undefined;
  const bodies = splitBodies(frame!.body, variants);
  if (!bodies) return undefined;
  return { entry: { ...metadata.e, ...bodies }, generations: metadata.g };
}
