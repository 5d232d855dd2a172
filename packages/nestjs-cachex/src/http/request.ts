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
  /**
   * The scheme the app sees (`http`, `https`): Express's and Fastify's
   * `protocol`, which believe `X-Forwarded-Proto` only under `trust proxy` /
   * `trustProxy`. Absent on a plain Node request, which is then `http`.
   */
  protocol?: string;
  /**
   * The host the app sees, with the port when the host names one: Express 5's
   * and Fastify's `host`, which believe `X-Forwarded-Host` only under
   * `trust proxy` / `trustProxy`. Absent on a plain Node request, which then
   * uses its `Host` header.
   */
  host?: string;
  /** Express: the application, whose router's `caseSensitive` and `strict` say how paths match. */
  app?: { readonly router?: unknown; get?(setting: string): unknown };
  /** Fastify: the server, whose `initialConfig` holds the router's options. */
  server?: { readonly initialConfig?: unknown };
}

/** The request's method in upper case; `GET` when the request names none. */
export function requestMethod(req: HttpRequestLike): string {
  return req.method === undefined ? 'GET' : req.method.toUpperCase();
}

/** A header's value as one string: repeated headers joined with `, `, absent as `undefined`. */
export function headerValue(req: HttpRequestLike, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Splits the received URL into its path and its query string (without `?`).
 * An absolute-form target (`http://host/p?q`, RFC 9112 §3.2.2) gives its
 * path, as Express and Fastify route it.
 */
export function splitUrl(req: HttpRequestLike): { path: string; query: string } {
  const url = originForm(req.originalUrl ?? req.url ?? '/');
  const mark = url.indexOf('?');
  return mark === -1
    ? { path: url, query: '' }
    : { path: url.slice(0, mark), query: url.slice(mark + 1) };
}

/** `http://host/p?q` → `/p?q`; `http://host?q` → `/?q`; anything else as it is. */
function originForm(url: string): string {
  if (url.charCodeAt(0) === 47 /* / */) return url;
  const schemeEnd = url.indexOf('://');
  if (schemeEnd === -1) return url;
  const scheme = url.slice(0, schemeEnd).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return url;
  const authority = schemeEnd + 3;
  const slash = url.indexOf('/', authority);
  const mark = url.indexOf('?', authority);
  if (mark !== -1 && (slash === -1 || mark < slash)) return `/${url.slice(mark)}`;
  return slash === -1 ? '/' : url.slice(slash);
}
