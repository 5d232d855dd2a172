import { ifNoneMatchMatches } from './etag.js';

/** The validators of a stored or fresh response. */
export interface Validators {
  etag?: string;
  /** An HTTP-date. */
  lastModified?: string;
}

/**
 * Whether a GET/HEAD with these conditional headers is answered `304 Not
 * Modified` (RFC 9110 §13.2.2): `If-None-Match` decides when present;
 * `If-Modified-Since` only without it. An unparseable date is ignored.
 */
export function isNotModified(
  conditions: { ifNoneMatch?: string; ifModifiedSince?: string },
  validators: Validators,
): boolean {
  if (conditions.ifNoneMatch !== undefined) {
    return (
      validators.etag !== undefined && ifNoneMatchMatches(conditions.ifNoneMatch, validators.etag)
    );
  }
  if (conditions.ifModifiedSince === undefined || validators.lastModified === undefined) {
    return false;
  }
  const since = Date.parse(conditions.ifModifiedSince);
  const modified = Date.parse(validators.lastModified);
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}
