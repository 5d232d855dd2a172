/**
 * The `Cache-Control` directives a cached route sends; seconds as integers.
 * Pure data, so the same rules serve every platform.
 */
export interface CacheControlDirectives {
  public?: boolean;
  private?: boolean;
  noCache?: boolean;
  noStore?: boolean;
  maxAge?: number;
  sMaxAge?: number;
  mustRevalidate?: boolean;
  proxyRevalidate?: boolean;
  noTransform?: boolean;
  immutable?: boolean;
  staleWhileRevalidate?: number;
  staleIfError?: number;
}

/**
 * Builds a `Cache-Control` value in the contract's fixed order: `public|private`,
 * `no-cache`, `no-store`, `max-age`, `s-maxage`, `must-revalidate`,
 * `proxy-revalidate`, `no-transform`, `immutable`, `stale-while-revalidate`,
 * `stale-if-error`, joined by `, `.
 */
export function buildCacheControl(d: CacheControlDirectives): string {
  const parts: string[] = [];
  if (d.public) parts.push('public');
  if (d.private) parts.push('private');
  if (d.noCache) parts.push('no-cache');
  if (d.noStore) parts.push('no-store');
  if (d.maxAge !== undefined) parts.push(`max-age=${d.maxAge}`);
  if (d.sMaxAge !== undefined) parts.push(`s-maxage=${d.sMaxAge}`);
  if (d.mustRevalidate) parts.push('must-revalidate');
  if (d.proxyRevalidate) parts.push('proxy-revalidate');
  if (d.noTransform) parts.push('no-transform');
  if (d.immutable) parts.push('immutable');
  if (d.staleWhileRevalidate !== undefined) {
    parts.push(`stale-while-revalidate=${d.staleWhileRevalidate}`);
  }
  if (d.staleIfError !== undefined) parts.push(`stale-if-error=${d.staleIfError}`);
  return parts.join(', ');
}

/**
 * Whether a `Cache-Control` value the handler set itself forbids a shared
 * cache to store the response (`no-store`, or `private` when the route is not
 * private). Directive names are case-insensitive (RFC 9111 §5.2).
 */
export function forbidsSharedStorage(cacheControl: string, routeIsPrivate: boolean): boolean {
  const names = directiveNames(cacheControl);
  return names.includes('no-store') || (!routeIsPrivate && names.includes('private'));
}

/**
 * Whether a `Cache-Control` value says `no-transform`: no one on the way may
 * change the content, its coding included (RFC 9111 §5.2.2.6).
 */
export function forbidsTransform(cacheControl: string): boolean {
  return directiveNames(cacheControl).includes('no-transform');
}

/** The directive names of a `Cache-Control` value, lower case (they are case-insensitive). */
function directiveNames(cacheControl: string): string[] {
  return cacheControl
    .toLowerCase()
    .split(',')
    .map((part) => part.split('=')[0]!.trim());
}
