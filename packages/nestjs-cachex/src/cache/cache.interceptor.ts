import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  Optional,
} from '@nestjs/common';
import { HEADERS_METADATA } from '@nestjs/common/constants.js';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { LRUCache } from 'lru-cache';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { CacheBackend } from '../backends/cache-backend.js';
import { type CacheEntry, entryLifetimeSeconds, entryState } from '../backends/cache-entry.js';
import { Clock, systemClock } from '../common/clock.js';
import { RouteMemo } from '../common/route-memo.js';
import { RateLimitedLogger } from '../common/rate-limited-logger.js';
import { forbidsSharedStorage } from '../http/cache-control.js';
import { type CacheOutcome, type CacheStatus } from '../http/cache-status.js';
import { createKeyBuilder, KEY_SEPARATOR, routePath } from '../http/cache-key.js';
import { type HttpRequestLike, requestMethod } from '../http/request.js';
import { storableHeaders, unstorableReason } from '../http/storable.js';
import { type CacheLookupContext, traced, tracing } from '../metrics/cache-tracing.js';
import { CacheXMetrics } from '../metrics/cachex-metrics.service.js';
import { routeTemplate } from '../metrics/route-template.js';
import { BACKEND_FAILED, BackendCalls } from './backend-call.js';
import { CacheCredentials } from './cache-credentials.js';
import { CacheMetadata } from './cache.decorator.js';
import { type CacheOptions } from './cache.options.js';
import { RESOLVED_CACHEX_OPTIONS } from './cache.constants.js';
import { type ResolvedCacheXOptions } from './cache-module.options.js';
import { EarlyHits } from './early-hits.js';
import { FillCoordinator } from './fill-coordinator.js';
import { hitAnswer } from './hit-answer.js';
import { HttpExchange } from './http-exchange.js';
import { entryAnswers, resolveRoutePolicy, type RoutePolicy, storageKey } from './route-policy.js';
import { VariantLimit } from './variant-limit.js';
import { buildEntry } from './cache-entry.builder.js';
import { withCompressedVariants } from './compressed-variants.js';
import { markTransparentOnHit } from './transparent-interceptors.js';
import { NamedCaches } from './named-caches.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** How a request answered with another request's fill is reported. */
const COLLAPSED: CacheStatus = { kind: 'miss', stored: false, collapsed: true };

/** Where one request's entry lives: its logical key, the key it is read from, and whose it is. */
interface CacheTarget {
  /** The route's logical key of the request (no Vary, no identity). */
  logical: string;
  /** The key read first: the logical key with the route's `vary` values and the identity. */
  base: string;
  /** The key the entry was found under: `base`, or the key a Vary marker there points to. */
  key: string;
  /** The identity of a private entry's owner (see `CacheCredentials.identity`). */
  identity?: string;
  /** The entry found under `key`, whatever its state: a refill keeps its validators if unchanged. */
  previous?: CacheEntry;
}

/** What a handler declared with `@Header()`: Nest sets those before any interceptor runs. */
interface DeclaredHeaders {
  names: ReadonlySet<string>;
  cacheControl?: string;
}

/** A `@Cache()` route as the interceptor serves it, resolved on its first request. */
interface CachedRoute {
  /** Its `@Cache()` options, the method's over the controller's. */
  route: CacheOptions;
  /** Those options resolved against the module's. */
  policy: RoutePolicy;
  /** What its handler declared with `@Header()`. */
  declared: DeclaredHeaders;
}

/**
 * Answers `@Cache()` routes from the `CacheBackend`: fresh hits without
 * running the handler, `304 Not Modified` for matching validators, stale
 * entries while one refresh runs (`staleWhileRevalidate`) or when the handler
 * fails (`staleIfError`), and one handler run for concurrent misses. A backend
 * that errs or hangs never fails a request: the handler answers instead.
 * Routes it finds with no guard and no other interceptor have their fresh
 * hits answered before Nest's router from then on (module option `earlyHits`).
 * Registered globally by `CacheXModule` unless `interceptor: false`; a
 * subclass can opt requests out with `isCacheable`. Entry times are read
 * from the module's `Clock`.
 *
 * @example
 * @UseInterceptors(CacheInterceptor) // with CacheXModule.forRoot({ interceptor: false })
 */
@Injectable()
export class CacheInterceptor implements NestInterceptor {
  private readonly log = new RateLimitedLogger(CacheInterceptor.name);
  /** Each route, resolved once; `undefined` when it has no `@Cache()`. */
  private readonly routes = new RouteMemo((handler, controller): CachedRoute | undefined => {
    const route = this.reflector.getAllAndOverride(CacheMetadata, [handler, controller]);
    if (!route) return undefined;
    return {
      route,
      policy: resolveRoutePolicy(route, this.options, this.defaultKey),
      declared: declaredHeaders(this.reflector, handler),
    };
  });
  /** The validators last stored under each key, so a refill of unchanged bytes keeps them. */
  private readonly validators = new LRUCache<string, { etag?: string; lastModified?: string }>({
    max: 10_000,
  });
  private readonly fills: FillCoordinator;
  private readonly variants: VariantLimit;
  private readonly defaultKey: (req: HttpRequestLike) => string;
  /** The named cache this instance serves, for `@Cache({ cache })` routes; none: the module's backend. */
  private namedCache?: string;
  private readonly named = new Map<string, CacheInterceptor>();
  /** The app's backends, the module's and the named ones; made without them, the module's alone. */
  private readonly caches: NamedCaches;

  /** @internal Made by Nest's injector; a subclass inherits these injections. */
  constructor(
    @Inject(CacheBackend) private readonly backend: CacheBackend,
    @Inject(RESOLVED_CACHEX_OPTIONS) private readonly options: ResolvedCacheXOptions,
    private readonly reflector: Reflector,
    private readonly adapterHost: HttpAdapterHost,
    private readonly credentials: CacheCredentials,
    private readonly calls: BackendCalls,
    @Optional() private readonly earlyHits?: EarlyHits,
    @Optional() @Inject(Clock) private readonly clock: Clock = systemClock,
    @Optional() private readonly metrics?: CacheXMetrics,
    @Optional() caches?: NamedCaches,
  ) {
    this.caches = caches ?? new NamedCaches(backend);
    this.defaultKey = createKeyBuilder(options);
    this.variants = new VariantLimit({
      maxVariantsPerPath: options.maxVariantsPerPath,
      now: () => clock.now(),
    });
    this.fills = new FillCoordinator(
      backend,
      calls,
      { waitMs: options.coalesceTimeoutMs, hitForMissTtl: options.hitForMissTtl },
      clock,
    );
  }

  /**
   * Whether this request of a `@Cache()` route may be answered from and
   * stored in the cache. Override it to opt requests out (`false`: the
   * handler runs, nothing is read or stored, `Cache-Status: …; fwd=bypass;
   * detail=not-cacheable`). A subclass's hits are never answered early.
   *
   * @example
   * @Injectable()
   * class PreviewAwareCacheInterceptor extends CacheInterceptor {
   *   protected override isCacheable(context: ExecutionContext): boolean {
   *     return context.switchToHttp().getRequest().query.preview === undefined;
   *   }
   * }
   */
  protected isCacheable(_context: ExecutionContext): boolean {
    return true;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<HttpRequestLike>();
    // Decided before anything is built: most requests of an app are not for a cached route.
    const method = requestMethod(req);
    if (method !== 'GET' && method !== 'HEAD') {
      return this.options.invalidateOnWrite && WRITE_METHODS.has(method)
        ? from(this.invalidateAfterWrite(this.exchangeOf(req, http.getResponse()), next))
        : next.handle();
    }
    const cached = this.routes.of(context);
    if (!cached) return next.handle();
    const { route, policy, declared } = cached;
    if (route.cache !== undefined && route.cache !== this.namedCache) {
      return this.namedInterceptor(route.cache).intercept(context, next);
    }
    const exchange = this.exchangeOf(req, http.getResponse());
    // The handler's own `@Header('Cache-Control', 'private, no-store')` wins over the route's.
    const handlerRefuses =
      declared.cacheControl && forbidsSharedStorage(declared.cacheControl, policy.private);
    if (handlerRefuses || !this.isCacheable(context)) {
      exchange.setCacheStatus({
        kind: 'bypass',
        detail: handlerRefuses ? 'handler' : 'not-cacheable',
      });
      this.countOutcome(exchange, policy, routeTemplate(exchange.req), method);
      return next.handle();
    }
    // A subclass may answer differently: only this class's hits are served early.
    if (this.constructor === CacheInterceptor) this.earlyHits?.learn(context, exchange.req, policy);
    return from(this.lookup(exchange, policy, next, declared.names, method));
  }

  /**
   * Serves one request, traced on `cachex:lookup`, and counts its outcome in
   * `CacheXMetrics` once, however it ends: the one place outcomes are counted.
   */
  private lookup(
    ex: HttpExchange,
    policy: RoutePolicy,
    next: CallHandler,
    declared: ReadonlySet<string>,
    method: string,
  ): Promise<unknown> {
    const context: CacheLookupContext = { route: routeTemplate(ex.req), method };
    return traced(tracing.lookup, context, async () => {
      try {
        return await this.serve(ex, policy, next, declared);
      } finally {
        context.outcome = this.countOutcome(ex, policy, context.route, context.method);
      }
    });
  }

  /**
   * The request's outcome, counted: the last `Cache-Status` it was given (a
   * miss when none, as when the handler threw); a `noCache` route that used
   * no credential is a bypass, whatever its `Cache-Status`.
   */
  private countOutcome(
    ex: HttpExchange,
    policy: RoutePolicy,
    route: string,
    method: string,
  ): CacheOutcome {
    const noCache = policy.noCache && ex.outcome !== 'bypass';
    const outcome = noCache ? 'bypass' : (ex.outcome ?? 'miss');
    const reason = noCache ? 'no-cache' : ex.bypassReason;
    this.metrics?.countRequest(route, method, outcome, reason, ex.sentBytes);
    return outcome;
  }

  /**
   * Answers one GET/HEAD of a cached route; resolves to what Nest should send.
   * `declared` names the headers the handler set with `@Header()` (stored
   * with its response, unlike those middleware set).
   */
  private async serve(
    ex: HttpExchange,
    policy: RoutePolicy,
    next: CallHandler,
    declared: ReadonlySet<string> = new Set(),
  ): Promise<unknown> {
    ex.setHeader('Cache-Control', policy.cacheControl);
    if (policy.noStore) return this.bypass(ex, next, 'no-store');
    let identity: string | undefined;
    if (policy.private) {
      const who = this.credentials.identity(ex.req);
      if ('none' in who) return this.bypass(ex, next, who.none);
      identity = who.id;
    } else if (!policy.public) {
      const credential = this.credentials.kind(ex.req);
      if (credential !== undefined) return this.bypass(ex, next, credential);
    }
    // Only a response shared by everyone is for the CDN (`cdn` excludes `private`).
    if (policy.cdnCacheControl) ex.setHeader('CDN-Cache-Control', policy.cdnCacheControl);
    if (policy.noCache) return this.revalidate(ex, policy, next, declared);

    const logical = policy.key(ex.req);
    const base = storageKey(logical, ex.req, policy.vary, identity);
    const target: CacheTarget = { logical, base, key: base, identity };
    const early = this.earlyHits?.take(ex.req, base);
    let found = early ? early.found : await this.call('get', () => this.backend.get(base));
    if (found !== BACKEND_FAILED && found?.varyOn !== undefined) {
      // The handler varies on more than the route says: read the variant this request names.
      target.key = storageKey(logical, ex.req, found.varyOn, identity);
      found = await this.call('get', () => this.backend.get(target.key));
    }
    const backendUp = found !== BACKEND_FAILED;
    const entry =
      found !== BACKEND_FAILED && found && entryAnswers(found, ex.req) ? found : undefined;
    target.previous = entry;
    const key = target.key;
    const state = entryState(entry, this.clock.now());
    switch (state.kind) {
      case 'fresh':
        return this.answer(ex, policy, entry!, { kind: 'hit', ttl: state.ttl });
      case 'stale':
        this.refreshInBackground(ex, policy, key, entry!, next);
        return this.answer(ex, policy, entry!, { kind: 'hit', ttl: state.ttl });
      case 'stale-if-error':
        return this.fill(ex, policy, target, declared, next, backendUp, entry);
    }
    // Coalescing needs no backend: during an outage, concurrent misses still run the handler once.
    if (!policy.coalesce || this.fills.isUncacheable(key)) {
      return this.fill(ex, policy, target, declared, next, backendUp);
    }
    const pending = this.fills.pending(key);
    if (pending) {
      // Another request's fill answers this one only if it varies on nothing this one differs in.
      const shared = await this.fills.follow(pending);
      if (shared && entryAnswers(shared, ex.req)) return this.answer(ex, policy, shared, COLLAPSED);
      return this.fill(ex, policy, target, declared, next, backendUp);
    }
    let result: unknown;
    const { entry: filled, filledHere } = await this.fills.lead(
      key,
      async () => {
        const outcome = await this.runAndStore(ex, policy, target, declared, next, backendUp);
        result = outcome.result;
        return outcome.entry;
      },
      backendUp,
    );
    if (filledHere) return result;
    if (filled && entryAnswers(filled, ex.req)) return this.answer(ex, policy, filled, COLLAPSED);
    return this.fill(ex, policy, target, declared, next, backendUp);
  }

  /** Runs the handler for a miss; with a stale entry in hand, it stands in for a failing handler. */
  private async fill(
    ex: HttpExchange,
    policy: RoutePolicy,
    target: CacheTarget,
    declared: ReadonlySet<string>,
    next: CallHandler,
    backendUp: boolean,
    stale?: CacheEntry,
  ): Promise<unknown> {
    const serveStale = (): unknown =>
      this.answer(ex, policy, stale!, { kind: 'miss', stored: false, detail: 'stale-if-error' });
    try {
      const outcome = await this.runAndStore(
        ex,
        policy,
        target,
        declared,
        next,
        backendUp,
        stale !== undefined,
      );
      return outcome.failed && stale ? serveStale() : outcome.result;
    } catch (error) {
      if (stale) return serveStale();
      throw error;
    }
  }

  /**
   * Runs the handler and stores its response when it may be stored. With
   * `holdServerErrors`, a 5xx answer is reported as `failed` and not sent.
   */
  private async runAndStore(
    ex: HttpExchange,
    policy: RoutePolicy,
    target: CacheTarget,
    declared: ReadonlySet<string>,
    next: CallHandler,
    backendUp: boolean,
    holdServerErrors = false,
  ): Promise<{ result: unknown; entry?: CacheEntry; failed?: boolean }> {
    const before = this.headersBeforeHandler(ex, declared);
    const value = await traced(tracing.fill, { key: target.key }, () => runHandler(next));
    if (holdServerErrors && ex.statusCode >= 500 && !ex.answered)
      return { result: value, failed: true };
    const entry = this.capture(ex, policy, value, before, this.validatorsOf(target));
    if (!entry || !this.isStorable(ex, policy, entry)) {
      this.fills.markUncacheable(target.key);
      if (!ex.answered) ex.setCacheStatus({ kind: 'miss', stored: false });
      return { result: value };
    }
    const key = this.keyFor(ex.req, policy, target, entry);
    if (!this.admitVariant(target, key, entry)) {
      const status: CacheStatus = { kind: 'miss', stored: false, detail: 'variants' };
      return { result: this.answer(ex, policy, entry, status) };
    }
    // Compressed once, as it is stored, so that no hit compresses it again.
    const kept = await withCompressedVariants(entry, policy, this.options.compression, this.log);
    const stored = backendUp && (await this.store(target, key, kept));
    this.validators.set(key, {
      etag: entry.headers['etag'],
      lastModified: entry.headers['last-modified'],
    });
    const status: CacheStatus = stored
      ? { kind: 'miss', stored }
      : { kind: 'miss', stored, detail: this.calls.breakerOpen ? 'breaker-open' : 'backend-error' };
    // Followers in this process share the response even when the backend could not keep it.
    return { result: this.answer(ex, policy, kept, status), entry: kept };
  }

  /**
   * The key a new entry goes under: the one it was looked up by, unless the
   * handler's `Vary` names request headers the route's `vary` does not; then
   * a key with their values (and a marker at the base key points there).
   */
  private keyFor(
    req: HttpRequestLike,
    policy: RoutePolicy,
    target: CacheTarget,
    entry: CacheEntry,
  ): string {
    const names = varyMarkerNames(entry, policy);
    return names ? storageKey(target.logical, req, names, target.identity) : target.base;
  }

  /** Stores an entry (and the Vary marker that leads to it); `false` when the backend failed. */
  private async store(target: CacheTarget, key: string, entry: CacheEntry): Promise<boolean> {
    if (key !== target.base) {
      const marker: CacheEntry = {
        status: entry.status,
        headers: {},
        body: Buffer.alloc(0),
        storedAt: entry.storedAt,
        maxAge: entry.maxAge,
        ...(entry.staleWhileRevalidate && { staleWhileRevalidate: entry.staleWhileRevalidate }),
        ...(entry.staleIfError && { staleIfError: entry.staleIfError }),
        ...(entry.tags && { tags: entry.tags }),
        path: entry.path,
        query: entry.query,
        varyOn: Object.keys(entry.varyValues!),
      };
      const set = await this.call('set', () => this.backend.set(target.base, marker));
      if (set === BACKEND_FAILED) return false;
    }
    return (await this.call('set', () => this.backend.set(key, entry))) !== BACKEND_FAILED;
  }

  /**
   * Whether one more variant of the request's path may be stored
   * (`maxVariantsPerPath`): shared entries only, since private ones are
   * bounded by the identities that fill them.
   */
  private admitVariant(target: CacheTarget, key: string, entry: CacheEntry): boolean {
    if (target.identity !== undefined) return true;
    const group = target.logical.slice(0, target.logical.lastIndexOf(KEY_SEPARATOR));
    return this.variants.admit(group || target.logical, key, entryLifetimeSeconds(entry) * 1000);
  }

  /**
   * Whether a response may be stored: a status the route stores, no
   * `Set-Cookie`, no `Vary: *`, and no `no-store` (or `private`, on a shared
   * route) in a `Cache-Control` the handler set itself.
   */
  private isStorable(ex: HttpExchange, policy: RoutePolicy, entry: CacheEntry): boolean {
    return (
      unstorableReason(entry.status, policy.statuses, ex.responseHeaders()) === undefined &&
      !forbidsSharedStorage(ex.responseHeader('cache-control') ?? '', policy.private)
    );
  }

  /**
   * Turns the handler's result and the response so far into an entry, or
   * `undefined` when there are no bytes to store (a stream, a file, a handler
   * that answered through `@Res()`).
   */
  private capture(
    ex: HttpExchange,
    policy: RoutePolicy,
    value: unknown,
    before: Record<string, string> = {},
    previous?: { etag?: string; lastModified?: string },
  ): CacheEntry | undefined {
    if (ex.answered) return undefined;
    const serialized = ex.serialize(value);
    if (!serialized) return undefined;
    const headers = storableHeaders(ex.responseHeaders());
    // What middleware set (CORS, request ids) is its to set again on each request.
    for (const name in before) if (headers[name] === before[name]) delete headers[name];
    for (const name of this.credentials.responseHeaders) delete headers[name];
    return buildEntry({
      req: ex.req,
      policy,
      status: ex.statusCode,
      headers,
      serialized,
      value,
      previous,
      now: this.clock.now(),
    });
  }

  /**
   * The validators of what a refill of `target` replaces: the entry in hand,
   * else the last ones stored under its key by this process (the entry itself
   * may be gone: expired, or removed by an invalidation).
   */
  private validatorsOf(target: CacheTarget): { etag?: string; lastModified?: string } | undefined {
    if (target.previous) {
      const { etag, 'last-modified': lastModified } = target.previous.headers;
      return { etag, lastModified };
    }
    return this.validators.get(target.key);
  }

  /**
   * The headers on the response before the handler runs, less those the
   * handler declared with `@Header()`: set by middleware and guards for this
   * request alone, so never stored.
   */
  private headersBeforeHandler(
    ex: HttpExchange,
    declared: ReadonlySet<string>,
  ): Record<string, string> {
    const before = storableHeaders(ex.responseHeaders());
    for (const name of declared) delete before[name];
    return before;
  }

  /** Sends an entry: its status, headers and bytes, or a 304 when the client's validators match. */
  private answer(
    ex: HttpExchange,
    policy: RoutePolicy,
    entry: CacheEntry,
    status: CacheStatus,
  ): unknown {
    const answer = hitAnswer(
      ex.req,
      policy,
      entry,
      status,
      this.options.surrogateKeys,
      this.clock.now(),
    );
    ex.noteCacheStatus(status, answer.status === 304);
    return ex.send(answer);
  }

  /** `noCache`: the handler always runs, nothing is stored, but validators still earn a 304. */
  private async revalidate(
    ex: HttpExchange,
    policy: RoutePolicy,
    next: CallHandler,
    declared: ReadonlySet<string> = new Set(),
  ): Promise<unknown> {
    const before = this.headersBeforeHandler(ex, declared);
    const value = await runHandler(next);
    const entry = this.capture(ex, policy, value, before);
    if (!entry || entry.status !== 200) {
      ex.setCacheStatus({ kind: 'miss', stored: false });
      return value;
    }
    return this.answer(ex, policy, entry, { kind: 'miss', stored: false });
  }

  /** Runs the handler without reading or writing the cache. */
  private bypass(ex: HttpExchange, next: CallHandler, detail: string): Promise<unknown> {
    ex.setCacheStatus({ kind: 'bypass', detail });
    return runHandler(next);
  }

  /** After the stale answer is sent, runs the handler once to replace the entry. */
  private refreshInBackground(
    ex: HttpExchange,
    policy: RoutePolicy,
    key: string,
    stale: CacheEntry,
    next: CallHandler,
  ): void {
    if (this.fills.isRefreshing(key)) return;
    ex.afterResponse(() =>
      this.fills.refreshOnce(key, () =>
        traced(tracing.refresh, { key }, async () => {
          try {
            const value = await runHandler(next);
            const serialized = ex.serialize(value);
            if (!serialized) throw new Error('the handler returned nothing storable');
            // The stale entry's headers, with validators for the new body.
            const { etag, 'last-modified': lastModified, ...headers } = stale.headers;
            const built = buildEntry({
              req: ex.req,
              policy,
              status: stale.status,
              headers,
              serialized,
              value,
              previous: { etag, lastModified },
              now: this.clock.now(),
            });
            const fresh = await withCompressedVariants(
              built,
              policy,
              this.options.compression,
              this.log,
            );
            await this.calls.bounded('set', () => this.backend.set(key, fresh));
          } catch (error) {
            this.log.error(
              'refresh',
              `Background refresh of ${key} failed; the stale entry stays`,
              error,
            );
          }
        }),
      ),
    );
  }

  /** Runs a write; when it succeeds, removes the cached GET/HEAD entries of its path, in every cache. */
  private async invalidateAfterWrite(ex: HttpExchange, next: CallHandler): Promise<unknown> {
    const value = await runHandler(next);
    if (ex.statusCode < 400) {
      // Paths as keys spell them, so every spelling the router accepts is invalidated.
      const paths = new Set([routePath(ex.req)]);
      for (const name of ['location', 'content-location']) {
        const target = sameOriginPath(ex.responseHeader(name), ex.header('host'));
        if (target) paths.add(routePath(ex.req, target));
      }
      for (const backend of this.caches.everyBackend()) {
        for (const path of paths) await this.call('clearPath', () => backend.clearPath(path));
      }
    }
    return value;
  }

  /**
   * The interceptor of the routes stored in the named cache: one of this
   * class over that backend, with fills and variants of its own and no
   * early hits (those read the module's backend).
   */
  private namedInterceptor(name: string): CacheInterceptor {
    let interceptor = this.named.get(name);
    if (!interceptor) {
      const backend = this.caches.backend(name);
      const Interceptor = this.constructor as typeof CacheInterceptor;
      interceptor = new Interceptor(
        backend,
        this.options,
        this.reflector,
        this.adapterHost,
        this.credentials,
        this.calls,
        undefined,
        this.clock,
        this.metrics,
        this.caches,
      );
      interceptor.namedCache = name;
      this.named.set(name, interceptor);
    }
    return interceptor;
  }

  /** A backend call through `BackendCalls`: bounded, skipped while the breaker is open, never thrown. */
  private call<T>(operation: string, run: () => Promise<T>): Promise<T | typeof BACKEND_FAILED> {
    return this.calls.run(this.log, operation, run);
  }

  private exchangeOf(req: HttpRequestLike, res: unknown): HttpExchange {
    return new HttpExchange(this.adapterHost.httpAdapter, req, res as never);
  }
}

/**
 * The header names of an entry that need a key of their own: those its
 * `Vary` names beyond the route's `vary`; `undefined` when there are none.
 */
function varyMarkerNames(entry: CacheEntry, policy: RoutePolicy): string[] | undefined {
  const names = Object.keys(entry.varyValues ?? {});
  return names.some((name) => !policy.vary.includes(name)) ? names : undefined;
}

/** The headers a handler declared with `@Header()`. */
function declaredHeaders(reflector: Reflector, handler: object): DeclaredHeaders {
  const headers =
    reflector.get<Array<{ name: string; value: string }> | undefined>(
      HEADERS_METADATA,
      handler as never,
    ) ?? [];
  const names = new Set(headers.map(({ name }) => name.toLowerCase()));
  const cacheControl = headers.findLast(({ name }) => name.toLowerCase() === 'cache-control');
  return { names, ...(cacheControl && { cacheControl: String(cacheControl.value) }) };
}

/**
 * The handler's result: the last value it emits, as Nest itself takes it.
 * @internal Shared with `CacheEvictInterceptor`; not in the public index.
 */
export function runHandler(next: CallHandler): Promise<unknown> {
  return lastValueFrom(next.handle(), { defaultValue: undefined });
}

/** The path of a same-origin `Location` / `Content-Location`, or `undefined`. */
function sameOriginPath(target: string | undefined, host: string | undefined): string | undefined {
  if (!target || !host) return undefined;
  try {
    const url = new URL(target, `http://${host}`);
    return url.host === host ? url.pathname : undefined;
  } catch {
    return undefined;
  }
}

markTransparentOnHit(CacheInterceptor);
