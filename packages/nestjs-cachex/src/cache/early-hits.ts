import {
  type ExecutionContext,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  VersioningType,
} from '@nestjs/common';
import { GUARDS_METADATA, INTERCEPTORS_METADATA } from '@nestjs/common/constants.js';
import { ApplicationConfig, HttpAdapterHost, Reflector } from '@nestjs/core';
import { LRUCache } from 'lru-cache';
import { type ServerResponse } from 'node:http';
import { CacheBackend } from '../backends/cache-backend.js';
import { type CacheEntry, freshnessMs } from '../backends/cache-entry.js';
import { RateLimitedLogger } from '../common/rate-limited-logger.js';
import { type HttpRequestLike, headerValue } from '../http/request.js';
import { BACKEND_FAILED, callBackend } from './backend-call.js';
import { CacheCredentials } from './cache-credentials.js';
import { RESOLVED_CACHEX_OPTIONS } from './cache.constants.js';
import { type ResolvedCacheXOptions } from './cache-module.options.js';
import { hitAnswer } from './hit-answer.js';
import { entryAnswers, type RoutePolicy, storageKey } from './route-policy.js';
import { isTransparentOnHit } from './transparent-interceptors.js';

/** How many routes (method, host and path) the table of early-served routes remembers. */
const MAX_ROUTES = 10_000;
const LOOKUP = Symbol('cachex.earlyLookup');
/**
 * body-parser's middleware (Nest's own `json` and `urlencoded`, and what
 * `useBodyParser` adds): for a request without a body they do nothing.
 */
const BODY_PARSERS = new Set(['jsonParser', 'urlencodedParser', 'textParser', 'rawParser']);

/** The backend's answer for a key, read before Nest's router and handed to the interceptor. */
export interface EarlyLookup {
  key: string;
  found: CacheEntry | undefined | typeof BACKEND_FAILED;
}

/** A route's verdict when it is never answered early, remembered so that it is decided once. */
const NOT_EARLY = false;

type EarlyRequest = HttpRequestLike & { [LOOKUP]?: EarlyLookup };
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
interface ExpressApp {
  router?: { stack?: ExpressLayer[] };
}

/**
 * Answers fresh hits of guard-free `@Cache()` routes before Nest's router runs:
 * after every middleware of the route (body parsers aside, for a request
 * without a body, where they do nothing), but without the route's pipeline,
 * which on a hit would only pass through. A route is served this way only
 * once the `CacheInterceptor` has seen it and found that nothing else would
 * run there — no middleware between the early layer and the route's own
 * layer, no guard (global, controller or method), no interceptor but the
 * cache's own, the default key, a shared entry — and only for a request with
 * no credential. Everything else (a miss, a stale entry, a credential, a
 * backend that fails) goes on to Nest, with what was read handed over, so
 * no request reads the backend twice. Express only; `earlyHits: false` turns
 * it off.
 */
@Injectable()
export class EarlyHits implements OnApplicationBootstrap {
  private readonly log = new RateLimitedLogger(EarlyHits.name);
  /** Per route key, decided on its first request: the policy for early answers, or `NOT_EARLY`. */
  private readonly routes = new LRUCache<string, RoutePolicy | typeof NOT_EARLY>({
    max: MAX_ROUTES,
  });
  /** Per handler and controller: whether only the cache would run on a hit (read once). */
  private readonly enhancersAllow = new WeakMap<object, WeakMap<object, boolean>>();
  /** Express's router stack and the early layer in it, once installed. */
  private stack?: ExpressLayer[];
  private layer?: ExpressLayer;
  /** Whether the early layer sits before body parsers, so requests with a body must pass it by. */
  private beforeBodyParsers = false;

  constructor(
    @Inject(CacheBackend) private readonly backend: CacheBackend,
    @Inject(RESOLVED_CACHEX_OPTIONS) private readonly options: ResolvedCacheXOptions,
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: ApplicationConfig,
    private readonly reflector: Reflector,
    private readonly credentials: CacheCredentials,
  ) {}

  /** Puts the early answer in Express's stack, after the last middleware and before the first route. */
  onApplicationBootstrap(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!this.options.earlyHits || adapter?.getType() !== 'express') return;
    // Header, media-type and custom versioning choose a route by more than its path.
    const versioning = this.config.getVersioning();
    if (versioning && versioning.type !== VersioningType.URI) return;
    const stack = (adapter.getInstance() as ExpressApp).router?.stack;
    const firstRoute = stack?.findIndex((layer) => layer.route !== undefined) ?? -1;
    if (!stack || firstRoute === -1) return;
    // Body parsers right before the routes are passed over too: they would do nothing.
    let at = firstRoute;
    while (at > 0 && BODY_PARSERS.has(stack[at - 1]!.name ?? '')) at--;
    adapter.use(this.handle);
    const layer = stack.pop()!;
    stack.splice(at, 0, layer);
    this.beforeBodyParsers = at < firstRoute;
    [this.stack, this.layer] = [stack, layer];
  }

  /**
   * Called by the `CacheInterceptor` for each GET/HEAD of a `@Cache()` route:
   * decides once per route key whether a hit may be answered early, that is
   * whether nothing but the cache would run on it.
   */
  learn(context: ExecutionContext, req: HttpRequestLike, policy: RoutePolicy): void {
    if (!this.layer) return;
    const key = routeKey(req);
    if (this.routes.has(key)) return;
    const early = this.mayAnswerEarly(context, policy) && this.nothingRunsBefore(req);
    this.routes.set(key, early ? policy : NOT_EARLY);
  }

  /** The lookup made before the router for this request and key, once. */
  take(req: HttpRequestLike, key: string): EarlyLookup | undefined {
    const early = req as EarlyRequest;
    const lookup = early[LOOKUP];
    if (lookup?.key !== key) return undefined;
    delete early[LOOKUP];
    return lookup;
  }

  private readonly handle = (
    req: EarlyRequest,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): void => {
    if (this.beforeBodyParsers && hasBody(req)) return next();
    const policy = this.routes.get(routeKey(req));
    if (!policy || this.credentials.kind(req) !== undefined) return next();
    this.answer(req, res, policy).then(
      (answered) => answered || next(),
      (error: unknown) => {
        this.log.error('early', 'Early cache answer failed; Nest answers instead', error);
        next();
      },
    );
  };

  /** Sends a fresh entry and resolves `true`, or leaves what it read for the interceptor. */
  private async answer(
    req: EarlyRequest,
    res: ServerResponse,
    policy: RoutePolicy,
  ): Promise<boolean> {
    const key = storageKey(policy.key(req), req, policy.vary);
    const found = await callBackend(this.log, this.options.backendTimeoutMs, 'get', () =>
      this.backend.get(key),
    );
    const now = Date.now();
    if (found !== BACKEND_FAILED && found && !found.invalidated && entryAnswers(found, req)) {
      const freshMs = freshnessMs(found, now);
      const answer =
        freshMs > 0 &&
        hitAnswer(
          req,
          policy,
          found,
          { kind: 'hit', ttl: Math.floor(freshMs / 1000) },
          this.options.surrogateKeys,
          now,
        );
      if (answer && answer.status === 304) {
        res.writeHead(304, answer.headers);
        res.end();
        return true;
      }
      if (answer && 'body' in answer && answer.body.length > 0) {
        answer.headers['content-length'] = String(answer.body.length);
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        return true;
      }
    }
    req[LOOKUP] = { key, found };
    return false;
  }

  /** Whether a hit on this route, answered in Nest, would run nothing but the cache. */
  private mayAnswerEarly(context: ExecutionContext, policy: RoutePolicy): boolean {
    if (policy.noStore || policy.noCache || policy.private || !policy.defaultKey) {
      return false;
    }
    const [handler, controller] = [context.getHandler(), context.getClass()];
    let byController = this.enhancersAllow.get(handler);
    if (!byController) this.enhancersAllow.set(handler, (byController = new WeakMap()));
    let allowed = byController.get(controller);
    if (allowed === undefined) {
      allowed = this.onlyCacheEnhancers([controller, handler]);
      byController.set(controller, allowed);
    }
    return allowed;
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
  private nothingRunsBefore(req: RoutedRequest): boolean {
    const stack = this.stack!;
    const path = routerPath(req.url);
    const from = stack.indexOf(this.layer!);
    const to = stack.findIndex((layer) => layer.route !== undefined && layer.route === req.route);
    if (path === undefined || !req.method || from === -1 || to <= from) return false;
    const method = req.method;
    return stack.slice(from + 1, to).every((layer) => !this.wouldRun(layer, method, path));
  }

  /** Whether Express's router would run this layer for a request without a body. */
  private wouldRun(layer: ExpressLayer, method: string, path: string): boolean {
    // An error handler: skipped by a request that has no error.
    if (layer.handle.length > 3) return false;
    // Passed over: `handle` leaves every request with a body to them.
    if (this.beforeBodyParsers && BODY_PARSERS.has(layer.name ?? '')) return false;
    let matched: unknown;
    try {
      matched = layer.match(path);
    } catch {
      return true; // the router would fail this request there (a malformed escape)
    }
    return Boolean(matched) && (layer.route === undefined || layer.route._handlesMethod(method));
  }

  /** Whether the route's guards and interceptors, global ones included, are the cache's own alone. */
  private onlyCacheEnhancers(targets: Parameters<Reflector['get']>[1][]): boolean {
    const guards = targets.flatMap(
      (target) => this.reflector.get<unknown[]>(GUARDS_METADATA, target) ?? [],
    );
    if (
      guards.length > 0 ||
      this.config.getGlobalGuards().length > 0 ||
      this.config.getGlobalRequestGuards().length > 0
    ) {
      return false;
    }
    const interceptors = [
      ...this.config.getGlobalInterceptors(),
      ...this.config.getGlobalRequestInterceptors().map((wrapper) => wrapper.metatype),
      ...targets.flatMap(
        (target) => this.reflector.get<unknown[]>(INTERCEPTORS_METADATA, target) ?? [],
      ),
    ];
    return interceptors.every(isTransparentOnHit);
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

/** What Express chooses a route by: method, host (as sent, and as forwarded) and path. */
function routeKey(req: HttpRequestLike): string {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  return `${req.method} ${headerValue(req, 'host') ?? ''} ${headerValue(req, 'x-forwarded-host') ?? ''} ${mark === -1 ? url : url.slice(0, mark)}`;
}
