import { type ServerResponse } from 'node:http';
import { type HttpRequestLike } from '../http/request.js';
import { writeNodeAnswer } from './answer-writer.js';
import type { EarlyMount, EarlyServe } from './early-hits.js';

/**
 * body-parser's middleware (Nest's own `json` and `urlencoded`, and what
 * `useBodyParser` adds): for a request without a body they do nothing.
 */
const BODY_PARSERS = new Set(['jsonParser', 'urlencodedParser', 'textParser', 'rawParser']);

/** An Express request inside a route: `route` is the route the router matched. */
type RoutedRequest = HttpRequestLike & { route?: ExpressRoute };
/** The little of Express 5's router (`router/lib/route.js`, `layer.js`) read here. */
interface ExpressRoute {
  /** Whether the route has a handler for the method (HEAD falls back to GET). */
  _handlesMethod(method: string): boolean;
}
interface ExpressLayer {
  name?: string;
  route?: ExpressRoute;
  handle: (...args: never[]) => unknown;
  /** The layer's match for a path, as the router tests it; falsy when it does not match. */
  match(path: string): unknown;
}
/** The Express app, as far as the early layer reads and changes it. */
export interface ExpressAppLike {
  router?: { stack?: ExpressLayer[] };
  use(handler: (req: HttpRequestLike, res: ServerResponse, next: () => void) => void): unknown;
}

/**
 * Early hits on Express: one layer in Express's stack after every middleware
 * and before the first route, which answers what `serve` gives it in one
 * `writeHead` and `end`, and passes everything else on.
 */
export class ExpressEarlyLayer implements EarlyMount {
  private constructor(
    private readonly stack: ExpressLayer[],
    private readonly layer: ExpressLayer,
    /** Whether the layer sits before body parsers, so requests with a body must pass it by. */
    private readonly beforeBodyParsers: boolean,
  ) {}

  /** Puts the layer in `app`'s stack; `undefined` when the app has no routes yet. */
  static install(app: ExpressAppLike, serve: EarlyServe): ExpressEarlyLayer | undefined {
    const stack = app.router?.stack;
    const firstRoute = stack?.findIndex((layer) => layer.route !== undefined) ?? -1;
    if (!stack || firstRoute === -1) return undefined;
    // Body parsers right before the routes are passed over too: they would do nothing.
    let at = firstRoute;
    while (at > 0 && BODY_PARSERS.has(stack[at - 1]!.name ?? '')) at--;
    const beforeBodyParsers = at < firstRoute;
    app.use((req, res, next) => {
      if (beforeBodyParsers && hasBody(req)) return next();
      serve(
        req,
        (answer) => writeNodeAnswer(res, answer),
        () => next(),
      );
    });
    const layer = stack.pop()!;
    stack.splice(at, 0, layer);
    return new ExpressEarlyLayer(stack, layer, beforeBodyParsers);
  }

  /**
   * Whether no layer between the early one and the request's route layer
   * would run for this method and path. Middleware can sit there: Nest mounts
   * `forRoutes()` middleware with a method (a controller, `{ path, method }`)
   * as route layers, and the early layer goes before the first route layer,
   * so before those and any `use` layer that follows them. A cached answer
   * must never skip middleware: such a route is left to Nest, whose
   * interceptor still serves it from the cache, after the middleware.
   */
  nothingRunsBefore(req: RoutedRequest): boolean {
    const path = routerPath(req.url);
    const from = this.stack.indexOf(this.layer);
    const to = this.stack.findIndex(
      (layer) => layer.route !== undefined && layer.route === req.route,
    );
    if (path === undefined || !req.method || from === -1 || to <= from) return false;
    const method = req.method;
    return this.stack.slice(from + 1, to).every((layer) => !this.wouldRun(layer, method, path));
  }

  /** Whether Express's router would run this layer for a request without a body. */
  private wouldRun(layer: ExpressLayer, method: string, path: string): boolean {
    // An error handler: skipped by a request that has no error.
    if (layer.handle.length > 3) return false;
    // Passed over: the early layer leaves every request with a body to them.
    if (this.beforeBodyParsers && BODY_PARSERS.has(layer.name ?? '')) return false;
    let matched: unknown;
    try {
      matched = layer.match(path);
    } catch {
      return true; // the router would fail this request there (a malformed escape)
    }
    return Boolean(matched) && (layer.route === undefined || layer.route._handlesMethod(method));
  }
}

/** Whether a request has a body, as body-parser decides it (`type-is`). */
function hasBody(req: HttpRequestLike): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined ||
    !Number.isNaN(Number(req.headers['content-length']))
  );
}

/**
 * The path Express's router matches a URL by: what comes before `?`, when
 * `parseurl` takes its fast path. A URL it parses otherwise (absolute form,
 * `#`, whitespace) gets `undefined`, and is never answered early.
 */
function routerPath(url: string | undefined): string | undefined {
  if (!url?.startsWith('/') || /[\s#]/.test(url)) return undefined;
  const mark = url.indexOf('?');
  return mark === -1 ? url : url.slice(0, mark);
}
