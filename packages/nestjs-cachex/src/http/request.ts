/**
 * The little of a request the HTTP rules read. Express and Fastify requests
 * both fit it, so the rules stay free of either platform's types.
 */
export interface HttpRequestLike {
  method?: string;
  /** The URL as received; Express keeps it in `originalUrl` when routers rewrite `url`. */
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  /** The client address as the platform resolved it (honouring `trust proxy`). */
  ip?: string;
}

/** A header's value as one string: repeated headers joined with `, `, absent as `undefined`. */
export function headerValue(req: HttpRequestLike, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Splits the received URL into its path and its query string (without `?`). */
export function splitUrl(req: HttpRequestLike): { path: string; query: string } {
  const url = req.originalUrl ?? req.url ?? '/';
  const mark = url.indexOf('?');
  return mark === -1
    ? { path: url, query: '' }
    : { path: url.slice(0, mark), query: url.slice(mark + 1) };
}
