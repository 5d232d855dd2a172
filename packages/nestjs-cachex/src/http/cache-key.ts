import { nameMatcher } from './name-pattern.js';
import { type HttpRequestLike, headerValue, requestMethod, splitUrl } from './request.js';

/** Separates the parts of a logical cache key. */
export const KEY_SEPARATOR = '|||';

/** Tracking parameters that never change a response: left out of keys by default. */
export const DEFAULT_IGNORED_QUERY_PARAMS: ReadonlyArray<string> = [
  'utm_*',
  'fbclid',
  'gclid',
  'msclkid',
];

/** What a key builder leaves out of the query, and whether it sorts it. */
export interface KeyBuilderOptions {
  /** Query parameters left out of the key: names, prefixes ending in `*`, or RegExps. */
  ignoreQueryParams: ReadonlyArray<string | RegExp>;
  /** Sort the remaining parameters by name (stable: repeated names keep their order). */
  sortQuery: boolean;
}

/**
 * Makes a key builder: `{METHOD}|||{origin}|||{path}|||{query}`, HEAD keyed
 * as GET (it is answered from the GET entry).
 *
 * - `origin` is the scheme and host the app sees, port included when the host
 *   names one: Express's and Fastify's `protocol` and `host`, which believe
 *   `X-Forwarded-Proto` / `-Host` only under `trust proxy` / `trustProxy`; a
 *   plain Node request is `http` and its `Host` header.
 * - `path` is the path as the router matches it (see {@link routePath}).
 * - `query` is the query string as received, without `?`, less the
 *   parameters in `ignoreQueryParams`, sorted by name only with `sortQuery`;
 *   the parameters left keep their spelling.
 *
 * A `|` inside any part is written `%7C`, so no part can forge another.
 *
 * @example
 * const keyOf = createKeyBuilder({ ignoreQueryParams: ['utm_*'], sortQuery: true });
 * keyOf(req); // GET /products?utm_source=x&b=2&a=1 → 'GET|||https://shop.example|||/products|||a=1&b=2'
 */
export function createKeyBuilder(options: KeyBuilderOptions): (req: HttpRequestLike) => string {
  const keyQuery = queryNormaliser(options);
  return (req) => {
    const { path, query } = splitUrl(req);
    return (
      keyMethod(req) +
      KEY_SEPARATOR +
      keyOrigin(req) +
      KEY_SEPARATOR +
      normalisePath(path, pathRules(req)) +
      KEY_SEPARATOR +
      keyQuery(query)
    );
  };
}

/**
 * Builds the logical cache key of a request with the module's defaults
 * (`DEFAULT_IGNORED_QUERY_PARAMS` left out, query not sorted):
 * `{METHOD}|||{origin}|||{path}|||{query}`. See {@link createKeyBuilder}.
 * Backends add their own `keyPrefix` when they store it.
 *
 * @example
 * // GET https://shop.example/Products/?page=2&utm_source=mail on Express
 * defaultKeyBuilder(req); // 'GET|||https://shop.example|||/products|||page=2'
 */
export const defaultKeyBuilder: (req: HttpRequestLike) => string = createKeyBuilder({
  ignoreQueryParams: DEFAULT_IGNORED_QUERY_PARAMS,
  sortQuery: false,
});

/**
 * The path of a request (or `path`, another path of the same app: a write's
 * `Location`, say) as its router matches it, as it appears in keys, so
 * every spelling of a path shares one entry and one invalidation:
 * percent-encoded unreserved characters decoded (`%7E` → `~`), other escapes
 * in upper case, `|` written `%7C`; on Express, lower-cased and one trailing
 * slash dropped unless the app turned on `case sensitive routing` / `strict
 * routing`; on Fastify, as its router options say (`caseSensitive`,
 * `ignoreTrailingSlash`, `ignoreDuplicateSlashes`). A request of neither
 * platform keeps its case and slashes. The root stays `/`.
 *
 * @example
 * routePath(req); // GET /Items/%41/ on Express → '/items/a'
 * routePath(req, '/Items/7/'); // on the same app → '/items/7'
 */
export function routePath(req: HttpRequestLike, path: string = splitUrl(req).path): string {
  return normalisePath(path, pathRules(req));
}

/**
 * Where a stored key points: its path and query. Backends index entries by
 * path with it. Keys from a custom `keyBuilder` carry no path of their own;
 * then the entry's `path` / `query` (set by the interceptor) are used.
 */
export function keyLocation(
  key: string,
  entry?: { path?: string; query?: string },
): { path: string; query: string } | undefined {
  if (entry?.path !== undefined) return { path: entry.path, query: entry.query ?? '' };
  const parts = key.split(KEY_SEPARATOR);
  if (parts.length < 4) return undefined;
  return { path: parts[2]!, query: parts[3]! };
}

/** How a router compares paths. */
interface PathRules {
  caseSensitive: boolean;
  ignoreTrailingSlash: boolean;
  ignoreDuplicateSlashes: boolean;
}

/** A router we do not know: every spelling is its own path. */
const EXACT: PathRules = {
  caseSensitive: true,
  ignoreTrailingSlash: false,
  ignoreDuplicateSlashes: false,
};

const DUPLICATE_SLASHES = /\/{2,}/g;
const HEX = '0123456789ABCDEF';

/** Rules per Express app or Fastify `initialConfig`: they are fixed once routes exist. */
const rulesByApp = new WeakMap<object, PathRules>();

function pathRules(req: HttpRequestLike): PathRules {
  const config = req.server?.initialConfig;
  const fastify = typeof config === 'object' && config !== null ? config : undefined;
  const owner = fastify ?? req.app; // an Express app is a function
  if (owner == null) return EXACT;
  let rules = rulesByApp.get(owner);
  if (rules === undefined) {
    rules = fastify ? fastifyRules(fastify) : expressRules(req.app!);
    rulesByApp.set(owner, rules);
  }
  return rules;
}

/**
 * Express matches with its app router's settings, taken when the router was
 * made (later `app.set` calls do not reach it), so those are read first.
 */
function expressRules(app: NonNullable<HttpRequestLike['app']>): PathRules {
  let router: unknown;
  try {
    router = app.router;
  } catch {
    // Express 4's `app.router` getter throws; its settings still say.
  }
  const settings =
    (typeof router === 'function' || typeof router === 'object') &&
    router !== null &&
    'caseSensitive' in router
      ? (router as { caseSensitive?: unknown; strict?: unknown })
      : {
          caseSensitive: app.get?.('case sensitive routing'),
          strict: app.get?.('strict routing'),
        };
  return {
    caseSensitive: Boolean(settings.caseSensitive),
    ignoreTrailingSlash: !settings.strict,
    ignoreDuplicateSlashes: false,
  };
}

interface FastifyRouterConfig {
  caseSensitive?: boolean;
  ignoreTrailingSlash?: boolean;
  ignoreDuplicateSlashes?: boolean;
}

/**
 * find-my-way's options as Fastify gave them: `routerOptions`, or the
 * deprecated top-level options (which `initialConfig` fills with defaults).
 * Read as `@nestjs/platform-fastify`'s `getRouteMatchingOptions()` reads them.
 */
function fastifyRules(config: object): PathRules {
  const top = config as FastifyRouterConfig & { routerOptions?: FastifyRouterConfig };
  const router = top.routerOptions ?? {};
  return {
    caseSensitive: !(router.caseSensitive === false || top.caseSensitive === false),
    ignoreTrailingSlash: Boolean(router.ignoreTrailingSlash || top.ignoreTrailingSlash),
    ignoreDuplicateSlashes: Boolean(router.ignoreDuplicateSlashes || top.ignoreDuplicateSlashes),
  };
}

function keyMethod(req: HttpRequestLike): string {
  const method = requestMethod(req);
  return method === 'HEAD' ? 'GET' : escapeBars(method);
}

function keyOrigin(req: HttpRequestLike): string {
  const host = req.host ?? headerValue(req, 'host') ?? '';
  return escapeBars(`${req.protocol ?? 'http'}://${host}`.toLowerCase());
}

function normalisePath(raw: string, rules: PathRules): string {
  let path = raw === '' ? '/' : raw;
  if (rules.ignoreDuplicateSlashes && path.includes('//')) {
    path = path.replace(DUPLICATE_SLASHES, '/');
  }
  if (rules.ignoreTrailingSlash && path.length > 1 && path.endsWith('/')) {
    path = path.slice(0, -1);
  }
  const fold = !rules.caseSensitive;
  if (fold) path = path.toLowerCase();
  return path.includes('%') || path.includes('|') ? normaliseEscapes(path, fold) : path;
}

/**
 * One pass over a path: escapes of unreserved characters (RFC 3986 §2.3)
 * decoded, since routers decode them (folded when the router ignores case),
 * other escapes in upper-case hex (§6.2.2.1), `|` written `%7C`. A `%` that
 * starts no escape is written `%25`, so a decoded character can never join
 * it into a new escape (`%4%41` is not `%4A`); routers refuse such paths.
 */
function normaliseEscapes(path: string, fold: boolean): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    const char = path.charCodeAt(i);
    if (char === 124 /* | */) {
      out += `${path.slice(start, i)}%7C`;
      start = i + 1;
    } else if (char === 37 /* % */) {
      const high = hexValue(path.charCodeAt(i + 1));
      const low = hexValue(path.charCodeAt(i + 2));
      out += path.slice(start, i);
      if (high === -1 || low === -1) {
        out += '%25';
      } else {
        const code = high * 16 + low;
        if (!isUnreserved(code)) out += `%${HEX[high]}${HEX[low]}`;
        else out += String.fromCharCode(fold && code >= 65 && code <= 90 ? code + 32 : code);
        i += 2;
      }
      start = i + 1;
    }
  }
  return out + path.slice(start);
}

function hexValue(char: number): number {
  if (char >= 48 && char <= 57) return char - 48;
  const lower = char | 32;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** ALPHA / DIGIT / `-` / `.` / `_` / `~`. */
function isUnreserved(code: number): boolean {
  const lower = code | 32;
  return (
    (lower >= 97 && lower <= 122) ||
    (code >= 48 && code <= 57) ||
    code === 45 ||
    code === 46 ||
    code === 95 ||
    code === 126
  );
}

/** The key's query: ignored parameters left out, sorted on demand, `|` written `%7C`. */
function queryNormaliser(options: KeyBuilderOptions): (query: string) => string {
  const ignored =
    options.ignoreQueryParams.length > 0 ? nameMatcher(options.ignoreQueryParams) : undefined;
  const sort = options.sortQuery;
  if (ignored === undefined && !sort) return escapeBars;
  return (query) => {
    if (query === '') return '';
    const params: Array<{ name: string; text: string }> = [];
    let dropped = false;
    for (const text of query.split('&')) {
      const name = paramName(text);
      if (ignored?.(name)) dropped = true;
      else params.push({ name, text });
    }
    if (sort) params.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    else if (!dropped) return escapeBars(query);
    return escapeBars(params.map((param) => param.text).join('&'));
  };
}

/** A parameter's name as the app's query parser reads it (`+` is a space; bad escapes kept). */
function paramName(param: string): string {
  const equals = param.indexOf('=');
  const raw = equals === -1 ? param : param.slice(0, equals);
  if (!raw.includes('%') && !raw.includes('+')) return raw;
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return raw;
  }
}

function escapeBars(text: string): string {
  return text.includes('|') ? text.replaceAll('|', '%7C') : text;
}
