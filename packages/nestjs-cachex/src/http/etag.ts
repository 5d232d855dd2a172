import { hash } from 'node:crypto';

/**
 * A strong validator derived from the body bytes: `"<length in hex>-<sha1, base64url>"`.
 * SHA-1 is native and fast, and here serves only to tell two bodies apart.
 */
export function strongETag(body: Uint8Array): string {
  return `"${body.length.toString(16)}-${hash('sha1', body, 'base64url')}"`;
}

/** Longest `If-None-Match` value looked at; a longer one matches nothing. */
export const MAX_IF_NONE_MATCH_LENGTH = 8 * 1024;

/**
 * The entity tags of an `If-None-Match` value (RFC 9110 §13.1.2): `'*'`, or
 * the list of tags with their `W/` prefix kept. Commas inside quotes do not
 * split. Malformed members are dropped; an over-long value yields no tags.
 */
export function parseIfNoneMatch(value: string): '*' | string[] {
  if (value.length > MAX_IF_NONE_MATCH_LENGTH) return [];
  if (value.trim() === '*') return '*';
  const tags: string[] = [];
  const tag = /\s*(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)/gy;
  let match: RegExpExecArray | null;
  while (tag.lastIndex < value.length && (match = tag.exec(value)) !== null) {
    tags.push(`${match[1] ?? ''}"${match[2]}"`);
  }
  return tags;
}

/** The opaque part of an entity tag: `W/"x"` and `"x"` both give `"x"`. */
function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/**
 * Weak comparison of RFC 9110 §8.8.3.2, as `If-None-Match` requires: whether
 * any listed tag (or `*`) matches the current `etag`, `W/` prefixes ignored.
 */
export function ifNoneMatchMatches(ifNoneMatch: string, etag: string): boolean {
  const tags = parseIfNoneMatch(ifNoneMatch);
  if (tags === '*') return true;
  const current = opaque(etag);
  return tags.some((candidate) => opaque(candidate) === current);
}
