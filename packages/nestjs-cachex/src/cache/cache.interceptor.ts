import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { CacheBackend } from '../backends/cache-backend.js';
import { type CacheEntry, freshnessMs } from '../backends/cache-entry.js';
import { RateLimitedLogger } from '../common/rate-limited-logger.js';
import { withTimeout } from '../common/with-timeout.js';
import { forbidsSharedStorage } from '../http/cache-control.js';
import { type CacheStatus, formatCacheStatus } from '../http/cache-status.js';
import { serializeResult } from '../http/response-body.js';
import { type HttpRequestLike, splitUrl } from '../http/request.js';
import { storableHeaders, unstorableReason } from '../http/storable.js';
import { BACKEND_FAILED, callBackend } from './backend-call.js';
import {
  CACHE_CREDENTIAL_SOURCE,
  type CredentialSource,
  requestCredential,
} from './cache-credentials.js';
import { CacheMetadata } from './cache.decorator.js';
import { type CacheOptions } from './cache.options.js';
import { RESOLVED_CACHEX_OPTIONS } from './cache.constants.js';
import { type ResolvedCacheXOptions } from './cache-module.options.js';
import { EarlyHits } from './early-hits.js';
import { FillCoordinator } from './fill-coordinator.js';
import { hitAnswer } from './hit-answer.js';
import { HttpExchange } from './http-exchange.js';
import { resolveRoutePolicy, type RoutePolicy, storageKey } from './route-policy.js';
import { buildEntry } from './cache-entry.builder.js';
import { markTransparentOnHit } from './transparent-interceptors.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** How a request answered with another request's fill is reported. */
const COLLAPSED: CacheStatus = { kind: 'miss', stored: false, collapsed: true };

/**
 * Answers `@Cache()` routes from the `CacheBackend`: fresh hits without
 * running the handler, `304 Not Modified` for matching validators, stale
 * entries while one refresh runs (`staleWhileRevalidate`) or when the handler
 * fails (`staleIfError`), and one handler run for concurrent misses. A backend
 * that errs or hangs never fails a request: the handler answers instead.
 * Routes it finds with no guard and no other interceptor have their fresh
 * hits answered before Nest's router from then on (module option `earlyHits`).
 * Registered globally by `CacheXModule` unless `interceptor: false`; methods
 * are `protected` so it can be extended.
 *
 * @example
 * @UseInterceptors(CacheInterceptor) // with CacheXModule.forRoot({ interceptor: false })
 */
@Injectable()
export class CacheInterceptor implements NestInterceptor {
  protected readonly log = new RateLimitedLogger(CacheInterceptor.name);
  private readonly policies = new WeakMap<CacheOptions, RoutePolicy>();
  private readonly fills: FillCoordinator;

  constructor(
    @Inject(CacheBackend) protected readonly backend: CacheBackend,
    @Inject(RESOLVED_CACHEX_OPTIONS) protected readonly options: ResolvedCacheXOptions,
    protected readonly reflector: Reflector,
    protected readonly adapterHost: HttpAdapterHost,
    @Optional()
    @Inject(CACHE_CREDENTIAL_SOURCE)
    protected readonly sessionCredential?: CredentialSource,
    @Optional() protected readonly earlyHits?: EarlyHits,
  ) {
    this.fills = new FillCoordinator(backend, {
      waitMs: options.coalesceTimeoutMs,
      hitForMissTtl: options.hitForMissTtl,
      backendTimeoutMs: options.backendTimeoutMs,
    });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const exchange = new HttpExchange(
      this.adapterHost.httpAdapter,
      http.getRequest<HttpRequestLike>(),
      http.getResponse(),
    );
    const method = exchange.method;
    if (method !== 'GET' && method !== 'HEAD') {
      return this.options.invalidateOnWrite && WRITE_METHODS.has(method)
        ? from(this.invalidateAfterWrite(exchange, next))
        : next.handle();
    }
    const route = this.reflector.getAllAndOverride(CacheMetadata, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!route) return next.handle();
    const policy = this.policyOf(route);
    // A subclass may answer differently: only this class's hits are served early.
    if (this.constructor === CacheInterceptor) this.earlyHits?.learn(context, exchange.req, policy);
    return from(this.serve(exchange, policy, next));
  }

  /** Answers one GET/HEAD of a cached route; resolves to what Nest should send. */
  protected async serve(
    ex: HttpExchange,
    policy: RoutePolicy,
    next: CallHandler,
  ): Promise<unknown> {
    ex.setHeader('Cache-Control', policy.cacheControl);
    if (policy.noStore) return this.bypass(ex, next, 'no-store');
    const credential = this.credentialOf(ex.req);
    if (policy.private ? credential === undefined : credential !== undefined && !policy.public) {
      return this.bypass(ex, next, 'private');
    }
    if (policy.noCache) return this.revalidate(ex, policy, next);

    const key = storageKey(
      policy.key(ex.req),
      ex.req,
      policy.vary,
      policy.private ? credential : undefined,
    );
    const early = this.earlyHits?.take(ex.req, key);
    const found = early ? early.found : await this.call('get', () => this.backend.get(key));
    const backendUp = found !== BACKEND_FAILED;
    const entry = backendUp ? found : undefined;
    if (entry) {
      const freshMs = freshnessMs(entry);
      if (freshMs > 0 && !entry.invalidated) {
        return this.answer(ex, policy, entry, { kind: 'hit', ttl: Math.floor(freshMs / 1000) });
      }
      const staleMs = Math.max(0, -freshMs);
      if (staleMs < (entry.staleWhileRevalidate ?? 0) * 1000) {
        this.refreshInBackground(ex, policy, key, entry, next);
        return this.answer(ex, policy, entry, { kind: 'hit', ttl: -Math.ceil(staleMs / 1000) });
      }
      if (staleMs < (entry.staleIfError ?? 0) * 1000) {
        return this.fill(ex, policy, key, next, backendUp, entry);
      }
    }
    if (!backendUp || !policy.coalesce || this.fills.isUncacheable(key)) {
      return this.fill(ex, policy, key, next, backendUp);
    }
    const pending = this.fills.pending(key);
    if (pending) {
      const shared = await this.fills.follow(pending);
      if (shared) return this.answer(ex, policy, shared, COLLAPSED);
      return this.fill(ex, policy, key, next, backendUp);
    }
    let result: unknown;
    const { entry: filled, filledHere } = await this.fills.lead(key, async () => {
      const outcome = await this.runAndStore(ex, policy, key, next, true);
      result = outcome.result;
      return outcome.entry;
    });
    return filledHere ? result : this.answer(ex, policy, filled!, COLLAPSED);
  }

  /** Runs the handler for a miss; with a stale entry in hand, it stands in for a failing handler. */
  protected async fill(
    ex: HttpExchange,
    policy: RoutePolicy,
    key: string,
    next: CallHandler,
    backendUp: boolean,
    stale?: CacheEntry,
  ): Promise<unknown> {
    const serveStale = (): unknown =>
      this.answer(ex, policy, stale!, { kind: 'miss', stored: false, detail: 'stale-if-error' });
    try {
      const outcome = await this.runAndStore(ex, policy, key, next, backendUp, stale !== undefined);
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
  protected async runAndStore(
    ex: HttpExchange,
    policy: RoutePolicy,
    key: string,
    next: CallHandler,
    backendUp: boolean,
    holdServerErrors = false,
  ): Promise<{ result: unknown; entry?: CacheEntry; failed?: boolean }> {
    const value = await runHandler(next);
    if (holdServerErrors && ex.statusCode >= 500 && !ex.answered)
      return { result: value, failed: true };
    const entry = this.capture(ex, policy, value);
    if (!entry || !this.isStorable(ex, policy, entry)) {
      this.fills.markUncacheable(key);
      if (!ex.answered)
        ex.setHeader('Cache-Status', formatCacheStatus({ kind: 'miss', stored: false }));
      return { result: value };
    }
    const stored =
      backendUp && (await this.call('set', () => this.backend.set(key, entry))) !== BACKEND_FAILED;
    return {
      result: this.answer(ex, policy, entry, { kind: 'miss', stored }),
      entry: stored ? entry : undefined,
    };
  }

  /**
   * Whether a response may be stored: a status the route stores, no
   * `Set-Cookie`, no `Vary: *`, and no `no-store` (or `private`, on a shared
   * route) in a `Cache-Control` the handler set itself.
   */
  protected isStorable(ex: HttpExchange, policy: RoutePolicy, entry: CacheEntry): boolean {
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
  protected capture(ex: HttpExchange, policy: RoutePolicy, value: unknown): CacheEntry | undefined {
    if (ex.answered) return undefined;
    const serialized = serializeResult(value);
    if (!serialized) return undefined;
    const headers = storableHeaders(ex.responseHeaders());
    for (const name of this.sessionCredential?.responseHeaders ?? []) delete headers[name];
    return buildEntry({ req: ex.req, policy, status: ex.statusCode, headers, serialized, value });
  }

  /** Sends an entry: its status, headers and bytes, or a 304 when the client's validators match. */
  protected answer(
    ex: HttpExchange,
    policy: RoutePolicy,
    entry: CacheEntry,
    status: CacheStatus,
  ): unknown {
    const answer = hitAnswer(ex.req, policy, entry, status, this.options.surrogateKeys);
    if (!('body' in answer)) {
      ex.setStatus(304);
      ex.setHeaders(answer.headers);
      return undefined;
    }
    return ex.send(answer.status, answer.headers, answer.body);
  }

  /** `noCache`: the handler always runs, nothing is stored, but validators still earn a 304. */
  protected async revalidate(
    ex: HttpExchange,
    policy: RoutePolicy,
    next: CallHandler,
  ): Promise<unknown> {
    const value = await runHandler(next);
    const entry = this.capture(ex, policy, value);
    if (!entry || entry.status !== 200) {
      ex.setHeader('Cache-Status', formatCacheStatus({ kind: 'miss', stored: false }));
      return value;
    }
    return this.answer(ex, policy, entry, { kind: 'miss', stored: false });
  }

  /** Runs the handler without reading or writing the cache. */
  protected bypass(ex: HttpExchange, next: CallHandler, detail: string): Promise<unknown> {
    ex.setHeader('Cache-Status', formatCacheStatus({ kind: 'bypass', detail }));
    return runHandler(next);
  }

  /** After the stale answer is sent, runs the handler once to replace the entry. */
  protected refreshInBackground(
    ex: HttpExchange,
    policy: RoutePolicy,
    key: string,
    stale: CacheEntry,
    next: CallHandler,
  ): void {
    if (this.fills.isRefreshing(key)) return;
    ex.afterResponse(() =>
      this.fills.refreshOnce(key, async () => {
        try {
          const value = await runHandler(next);
          const serialized = serializeResult(value);
          if (!serialized) throw new Error('the handler returned nothing storable');
          // The stale entry's headers, with validators for the new body.
          const { etag, 'last-modified': lastModified, ...headers } = stale.headers;
          const fresh = buildEntry({
            req: ex.req,
            policy,
            status: stale.status,
            headers,
            serialized,
            value,
          });
          await withTimeout(this.backend.set(key, fresh), this.options.backendTimeoutMs, 'set');
        } catch (error) {
          this.log.error(
            'refresh',
            `Background refresh of ${key} failed; the stale entry stays`,
            error,
          );
        }
      }),
    );
  }

  /** Runs a write; when it succeeds, removes the cached GET/HEAD entries of its path. */
  protected async invalidateAfterWrite(ex: HttpExchange, next: CallHandler): Promise<unknown> {
    const value = await runHandler(next);
    if (ex.statusCode < 400) {
      const paths = new Set([splitUrl(ex.req).path]);
      for (const name of ['location', 'content-location']) {
        const target = sameOriginPath(ex.responseHeader(name), ex.header('host'));
        if (target) paths.add(target);
      }
      for (const path of paths) await this.call('clearPath', () => this.backend.clearPath(path));
    }
    return value;
  }

  /** The credential of a request: its `Authorization`, else its session token. */
  protected credentialOf(req: HttpRequestLike): string | undefined {
    return requestCredential(req, this.sessionCredential);
  }

  /** A backend call bounded by `backendTimeoutMs`; failures are logged (rate-limited), never thrown. */
  private call<T>(operation: string, run: () => Promise<T>): Promise<T | typeof BACKEND_FAILED> {
    return callBackend(this.log, this.options.backendTimeoutMs, operation, run);
  }

  private policyOf(route: CacheOptions): RoutePolicy {
    let policy = this.policies.get(route);
    if (!policy) {
      policy = resolveRoutePolicy(route, this.options);
      this.policies.set(route, policy);
    }
    return policy;
  }
}

/** The handler's result: the last value it emits, as Nest itself takes it. */
function runHandler(next: CallHandler): Promise<unknown> {
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
