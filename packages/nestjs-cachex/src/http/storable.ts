/** Headers that describe one connection, never a stored response (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Headers the cache recomputes on every answer, so storing them would only go stale. */
const RECOMPUTED = new Set([
  'set-cookie',
  'content-length',
  'date',
  'age',
  'cache-control',
  'cache-status',
  'surrogate-key',
]);

/**
 * The headers of a response worth storing: names lower-cased, hop-by-hop
 * headers (and those named in `Connection`), `Set-Cookie` and the headers the
 * cache recomputes removed, repeated values joined with `, `.
 */
export function storableHeaders(
  headers: Record<string, number | string | string[] | undefined>,
): Record<string, string> {
  const named = String(headers['connection'] ?? headers['Connection'] ?? '')
    .toLowerCase()
    .split(',')
    .map((name) => name.trim());
  const stored: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (
      value === undefined ||
      HOP_BY_HOP.has(name) ||
      RECOMPUTED.has(name) ||
      named.includes(name)
    ) {
      continue;
    }
    stored[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return stored;
}

/**
 * Why a response may not be stored, or `undefined` when it may: a status the
 * route does not store, a `Set-Cookie`, or `Vary: *`.
 */
export function unstorableReason(
  status: number,
  storableStatuses: readonly number[],
  headers: Record<string, number | string | string[] | undefined>,
): string | undefined {
  if (!storableStatuses.includes(status)) return 'status';
  if (headers['set-cookie'] !== undefined) return 'set-cookie';
  const vary = headers['vary'];
  if (
    vary !== undefined &&
    String(vary)
      .split(',')
      .some((name) => name.trim() === '*')
  ) {
    return 'vary-star';
  }
  return undefined;
}
