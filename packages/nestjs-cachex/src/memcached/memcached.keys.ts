import { createHash } from 'node:crypto';

/** Memcached's longest key, in bytes. */
export const MAX_MEMCACHED_KEY_BYTES = 250;

/** Printable ASCII without space: safe in memcached's text protocol and in its tools. */
const SAFE_KEY_PART = /^[\x21-\x7e]*$/;

/**
 * The kinds of key, each followed by its variable part. No kind is a prefix of
 * another, so two kinds never produce the same key.
 */
const KIND = {
  entry: 'e:',
  allGeneration: 'gen:all',
  pathGeneration: 'gen:path:',
  queryGeneration: 'gen:path?:',
  tagGeneration: 'gen:tag:',
  namespaceGeneration: 'gen:ns:',
  namespaceData: 'ns:',
} as const;

/**
 * The key layout of `MemcachedBackend` on the server. Every key is
 * `{keyPrefix}{kind}{part}`; a part that is too long or not printable ASCII
 * (unicode, spaces, control characters) is replaced by `#` and the SHA-256 of
 * it (base64url), so every key is valid and at most 250 bytes. Parts never
 * start with `#` otherwise, so a hashed part cannot equal a plain one.
 *
 * | key | holds |
 * |---|---|
 * | `{p}e:{logical key}` | a response-cache entry |
 * | `{p}gen:all` | the generation of the whole response cache (`clear()`) |
 * | `{p}gen:path:{path}` | the generation of a path's entries without a query |
 * | `{p}gen:path?:{path}` | the generation of a path's entries with a query |
 * | `{p}gen:tag:{tag}` | the generation of a tag |
 * | `{p}gen:ns:{name}` | the generation of a namespace (`namespace(name).clear()`) |
 * | `{p}ns:{name}:{generation}:{key}` | a namespace's key |
 */
export class MemcachedKeys {
  constructor(private readonly prefix: string) {}

  /** Where the response-cache entry of a logical key lives. */
  entry(logicalKey: string): string {
    return this.build(KIND.entry, logicalKey);
  }

  /** The generation every response-cache entry depends on. */
  allGeneration(): string {
    return this.prefix + KIND.allGeneration;
  }

  /** The generation an entry at this location depends on: one for bare paths, one for queried ones. */
  locationGeneration(location: { path: string; query: string }): string {
    return this.build(
      location.query === '' ? KIND.pathGeneration : KIND.queryGeneration,
      location.path,
    );
  }

  /** The generations `clearPath` bumps: the bare path's, and with `includeQuery` the queried one's. */
  pathGenerations(path: string, includeQuery: boolean): string[] {
    const bare = this.build(KIND.pathGeneration, path);
    return includeQuery ? [bare, this.build(KIND.queryGeneration, path)] : [bare];
  }

  /** The generation of a tag. */
  tagGeneration(tag: string): string {
    return this.build(KIND.tagGeneration, tag);
  }

  /** The generation of a namespace; its keys embed it. */
  namespaceGeneration(name: string): string {
    return this.build(KIND.namespaceGeneration, name);
  }

  /** A namespace's key under the namespace's current generation. */
  namespaceData(name: string, generation: string, key: string): string {
    return this.build(KIND.namespaceData, `${escapeColon(name)}:${generation}:${key}`);
  }

  private build(kind: string, part: string): string {
    const key = this.prefix + kind + part;
    if (
      SAFE_KEY_PART.test(part) &&
      !part.startsWith('#') &&
      key.length <= MAX_MEMCACHED_KEY_BYTES // ASCII: one byte per character
    ) {
      return key;
    }
    return `${this.prefix}${kind}#${createHash('sha256').update(part, 'utf8').digest('base64url')}`;
  }
}

/** Keeps a namespace name from reading as `name:generation`: `%` and `:` are escaped. */
function escapeColon(name: string): string {
  return name.replace(/%/g, '%25').replace(/:/g, '%3A');
}
