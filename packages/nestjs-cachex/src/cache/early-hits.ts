import {
  type ExecutionContext,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  Optional,
  VersioningType,
} from '@nestjs/common';
import { GUARDS_METADATA, INTERCEPTORS_METADATA } from '@nestjs/common/constants.js';
import { ApplicationConfig, HttpAdapterHost, Reflector } from '@nestjs/core';
import { LRUCache } from 'lru-cache';
import { CacheBackend } from '../backends/cache-backend.js';
import { type CacheEntry, entryState } from '../backends/cache-entry.js';
import { Clock } from '../common/clock.js';
import { RateLimitedLogger } from '../common/rate-limited-logger.js';
import { RouteMemo } from '../common/route-memo.js';
import { cacheOutcome } from '../http/cache-status.js';
import { type HttpRequestLike, headerValue, requestMethod } from '../http/request.js';
import { type CacheLookupContext, traced, tracing } from '../metrics/cache-tracing.js';
import { CacheXMetrics } from '../metrics/cachex-metrics.service.js';
import { routeTemplate } from '../metrics/route-template.js';
import { BACKEND_FAILED, BackendCalls } from './backend-call.js';
import { CacheCredentials } from './cache-credentials.js';
import { RESOLVED_CACHEX_OPTIONS } from './cache.constants.js';
import { type ResolvedCacheXOptions } from './cache-module.options.js';
import { ExpressEarlyLayer } from './early-hits.express.js';
import { FastifyEarlyHook } from './early-hits.fastify.js';
import { type HitAnswer, hitAnswer } from './hit-answer.js';
import { entryAnswers, type RoutePolicy, storageKey } from './route-policy.js';
import { isTransparentOnHit } from './transparent-interceptors.js';

/** How many routes (method, host and path) the table of early-served routes remembers. */
const MAX_ROUTES = 10_000;

/** The backend's answer for a key, read before Nest's pipeline and handed to the interceptor. */
export interface EarlyLookup {
  key: string;
  found: CacheEntry | undefined | typeof BACKEND_FAILED;
}

/**
 * What a platform's early mount calls for each request: `send` gets the
 * answer of a fresh hit; `pass` lets the request go on to Nest — at once when
 * the request is not for early answers, after the lookup otherwise (also
 * when it failed).
 */
export type EarlyServe = (
  req: HttpRequestLike,
  send: (answer: HitAnswer) => void,
  pass: () => void,
) => void;

/** Where early answers are made on a platform (an Express layer, a Fastify hook). */
export interface EarlyMount {
  /** Whether nothing of the app (middleware) would run between the mount and this request's route. */
  nothingRunsBefore(req: HttpRequestLike): boolean;
}

/** A route's verdict when it is never answered early, remembered so that it is decided once. */
const NOT_EARLY = false;

/** A route answered early: its policy, and its path template for the metrics. */
interface EarlyRoute {
  policy: RoutePolicy;
  route: string;
}

/**
 * Answers fresh hits of guard-free `@Cache()` routes before Nest's pipeline
 * runs: after every middleware of the route, but without the router, guards,
 * interceptors and pipes, which on a hit would only pass through. On Express
 * a layer in the router's stack (`ExpressEarlyLayer`), on Fastify a
 * `preHandler` hook (`FastifyEarlyHook`). A route is served this way only
 * once the `CacheInterceptor` has seen it and found that nothing else would
 * run there — no middleware between the mount and the route, no guard
 * (global, controller or method), no interceptor but the cache's own, the
 * default key, a shared entry — and only for a request with no credential.
 * Everything else (a miss, a stale entry, a credential, a backend that
 * fails) goes on to Nest, with what was read handed over, so no request reads
 * the backend twice. `earlyHits: false` turns it off.
 */
@Injectable()
export class EarlyHits implements OnApplicationBootstrap {
  private readonly log = new RateLimitedLogger(EarlyHits.name);
  /** Per route key, decided on its first request: the policy for early answers, or `NOT_EARLY`. */
  private readonly routes = new LRUCache<string, EarlyRoute | typeof NOT_EARLY>({
    max: MAX_ROUTES,
  });
  /** Per route: whether only the cache would run on a hit. */
  private readonly enhancersAllow = new RouteMemo((handler, controller) =>
    this.onlyCacheEnhancers([controller, handler]),
  );
  /** What each request's early lookup read, for the interceptor to take. */
  private readonly lookups = new WeakMap<object, EarlyLookup>();
  private mount?: EarlyMount;

  constructor(
    @Inject(CacheBackend) private readonly backend: CacheBackend,
    @Inject(RESOLVED_CACHEX_OPTIONS) private readonly options: ResolvedCacheXOptions,
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: ApplicationConfig,
    private readonly reflector: Reflector,
    private readonly credentials: CacheCredentials,
    private readonly calls: BackendCalls,
    @Inject(Clock) private readonly clock: Clock,
    @Optional() private readonly metrics?: CacheXMetrics,
  ) {}

  /** Mounts early answers on the platform: after every middleware, before the routes. */
  onApplicationBootstrap(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!this.options.earlyHits || !adapter) return;
    // Header, media-type and custom versioning choose a route by more than its path.
    const versioning = this.config.getVersioning();
    if (versioning && versioning.type !== VersioningType.URI) return;
    const platform = adapter.getType();
    if (platform === 'express') {
      this.mount = ExpressEarlyLayer.install(adapter.getInstance(), this.serve);
    } else if (platform === 'fastify') {
      this.mount = FastifyEarlyHook.install(adapter.getInstance(), this.serve);
    }
  }

  /**
   * Called by the `CacheInterceptor` for each GET/HEAD of a `@Cache()` route:
   * decides once per route key whether a hit may be answered early, that is
   * whether nothing but the cache would run on it.
   */
  learn(context: ExecutionContext, req: HttpRequestLike, policy: RoutePolicy): void {
    if (!this.mount) return;
    const key = routeKey(req);
    if (this.routes.has(key)) return;
    const early = this.mayAnswerEarly(context, policy) && this.mount.nothingRunsBefore(req);
    this.routes.set(key, early ? { policy, route: routeTemplate(req) } : NOT_EARLY);
  }

  /** The lookup made before Nest's pipeline for this request and key, once. */
  take(req: HttpRequestLike, key: string): EarlyLookup | undefined {
    const lookup = this.lookups.get(req);
    if (lookup?.key !== key) return undefined;
    this.lookups.delete(req);
    return lookup;
  }

  private readonly serve: EarlyServe = (req, send, pass) => {
    const early = this.routes.get(routeKey(req));
    if (!early || this.credentials.kind(req) !== undefined) return pass();
    const context: CacheLookupContext = {
      route: early.route,
      method: requestMethod(req),
      early: true,
    };
    traced(tracing.lookup, context, () => this.lookup(req, early, context)).then(
      (answer) => (answer ? send(answer) : pass()),
      (error: unknown) => {
        this.log.error('early', 'Early cache answer failed; Nest answers instead', error);
        pass();
      },
    );
  };

  /**
   * A fresh entry's answer, its outcome counted, or `undefined` with what
   * was read left for the interceptor (which counts the request then).
   */
  private async lookup(
    req: HttpRequestLike,
    { policy, route }: EarlyRoute,
    context: CacheLookupContext,
  ): Promise<HitAnswer | undefined> {
    const key = storageKey(policy.key(req), req, policy.vary);
    const found = await this.calls.run(this.log, 'get', () => this.backend.get(key));
    if (found !== BACKEND_FAILED && found && entryAnswers(found, req)) {
      const now = this.clock.now();
      const state = entryState(found, now);
      if (state.kind === 'fresh') {
        const status = { kind: 'hit', ttl: state.ttl } as const;
        const answer = hitAnswer(req, policy, found, status, this.options.surrogateKeys, now);
        if (!('body' in answer) || answer.body.length > 0) {
          context.outcome = cacheOutcome(status, answer.status === 304);
          const bytes = 'body' in answer ? answer.body.length : 0;
          this.metrics?.countRequest(route, context.method, context.outcome, undefined, bytes);
          return answer;
        }
      }
    }
    this.lookups.set(req, { key, found });
    return undefined;
  }

  /** Whether a hit on this route, answered in Nest, would run nothing but the cache. */
  private mayAnswerEarly(context: ExecutionContext, policy: RoutePolicy): boolean {
    if (policy.noStore || policy.noCache || policy.private || !policy.defaultKey) {
      return false;
    }
    return this.enhancersAllow.of(context);
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

/** What a router chooses a route by: method, host (as sent, and as forwarded) and path. */
function routeKey(req: HttpRequestLike): string {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  return `${req.method} ${headerValue(req, 'host') ?? ''} ${headerValue(req, 'x-forwarded-host') ?? ''} ${mark === -1 ? url : url.slice(0, mark)}`;
}
