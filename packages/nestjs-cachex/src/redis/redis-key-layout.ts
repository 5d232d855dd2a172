import { createHash } from 'node:crypto';
import { keyLocation } from '../http/cache-key.js';

/** Length of the hex hash inside a hash tag, e.g. `{1a2b3c4d}`. */
const HASH_LENGTH = 8;
/** `{` + hash + `}` + `:x:`: what follows the response-cache prefix before the name. */
const TAGGED_KIND_LENGTH = HASH_LENGTH + 2 + 3;
const ANY_HASH_TAG = `{${'?'.repeat(HASH_LENGTH)}}`;

/** The kinds of response-cache keys: entries and the three indexes. */
const KIND = {
  entry: 'e',
  pathWithoutQuery: 'p',
  pathWithQuery: 'q',
  tag: 't',
} as const;

/**
 * Where `RedisBackend` keeps what, under its `keyPrefix` (`P`):
 *
 * - `P rc:{h}:e:<key>`   an entry (h: hash of the key's path, or of the key)
 * - `P rc:{h}:p:<path>`  sorted set of the path's entries without a query (h: hash of the path)
 * - `P rc:{h}:q:<path>`  sorted set of the path's entries with a query
 * - `P rc:{h}:t:<tag>`   sorted set of the tag's entries (h: hash of the tag)
 * - `P ns:<name>:<key>`  `namespace(name)` data (`:` and `%` in the name percent-encoded)
 *
 * The `{h}` hash tag puts an entry built by the default key builder in the
 * same Cluster slot as its path's indexes, so all of a path's keys share a slot.
 */
export class RedisKeyLayout {
  /** Prefix of every response-cache key: entries and their indexes. */
  readonly responses: string;

  constructor(readonly prefix: string) {
    this.responses = `${prefix}rc:`;
  }

  /** The Redis key of the entry stored under a logical key. */
  entry(key: string): string {
    return this.tagged(keyLocation(key)?.path ?? key, KIND.entry, key);
  }

  /** The index of a path's entries with (or without) a query string. */
  pathIndex(path: string, withQuery: boolean): string {
    return this.tagged(path, withQuery ? KIND.pathWithQuery : KIND.pathWithoutQuery, path);
  }

  /** The index of a tag's entries. */
  tagIndex(tag: string): string {
    return this.tagged(tag, KIND.tag, tag);
  }

  /** The logical key of an entry's Redis key, `undefined` for any other key. */
  logicalKey(redisKey: string): string | undefined {
    return this.kindOf(redisKey) === KIND.entry ? this.nameOf(redisKey) : undefined;
  }

  /** The path of a path index's Redis key, `undefined` for any other key. */
  indexedPath(redisKey: string): string | undefined {
    const kind = this.kindOf(redisKey);
    return kind === KIND.pathWithoutQuery || kind === KIND.pathWithQuery
      ? this.nameOf(redisKey)
      : undefined;
  }

  /** Whether a Redis key is one of this backend's entries (not an index). */
  isEntry(redisKey: string): boolean {
    return this.kindOf(redisKey) === KIND.entry;
  }

  /** SCAN pattern of every response-cache key (entries and indexes), nothing else. */
  responsesPattern(): string {
    return `${escapeGlob(this.responses)}${ANY_HASH_TAG}:*`;
  }

  /** SCAN pattern of every entry. */
  entriesPattern(): string {
    return `${escapeGlob(this.responses)}${ANY_HASH_TAG}:${KIND.entry}:*`;
  }

  /** SCAN pattern of the path indexes whose path starts with `pathPrefix`. */
  pathIndexesPattern(pathPrefix: string): string {
    const kinds = `[${KIND.pathWithoutQuery}${KIND.pathWithQuery}]`;
    return `${escapeGlob(this.responses)}${ANY_HASH_TAG}:${kinds}:${escapeGlob(pathPrefix)}*`;
  }

  /** Prefix of the keys of `namespace(name)`; distinct names never share keys. */
  namespace(name: string): string {
    return `${this.prefix}ns:${name.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'))}:`;
  }

  private tagged(hashed: string, kind: string, name: string): string {
    return `${this.responses}{${shortHash(hashed)}}:${kind}:${name}`;
  }

  private kindOf(redisKey: string): string | undefined {
    if (!redisKey.startsWith(this.responses)) return undefined;
    return redisKey.charAt(this.responses.length + TAGGED_KIND_LENGTH - 2);
  }

  private nameOf(redisKey: string): string {
    return redisKey.slice(this.responses.length + TAGGED_KIND_LENGTH);
  }
}

/**
 * The part of a key Redis Cluster hashes to pick its slot: the text between
 * the first `{` and the next `}` when not empty, else the whole key. Keys with
 * the same hash tag are in the same slot.
 */
export function redisHashTag(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** Escapes the characters Redis's `MATCH` treats as wildcards, so `text` matches itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * The literal start of a glob, up to its first wildcard: the server-side
 * `MATCH` narrows a SCAN with it, and `compileGlob` decides exactly.
 */
export function globLiteralPrefix(glob: string): string {
  let prefix = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*' || char === '?' || char === '[') break;
    if (char === '\\' && i + 1 < glob.length) prefix += glob[++i];
    else prefix += char;
  }
  return prefix;
}

function shortHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, HASH_LENGTH);
}
