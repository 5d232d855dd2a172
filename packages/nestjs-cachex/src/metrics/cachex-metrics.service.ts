import { Inject, Injectable } from '@nestjs/common';
import { CacheBackend, type CacheBackendStats } from '../backends/cache-backend.js';
import { CACHE_OUTCOMES, type CacheOutcome } from '../http/cache-status.js';

/** Every `BackendCallResult`, in the order reports list them. */
const BACKEND_CALL_RESULTS = ['ok', 'error', 'timeout', 'skipped'] as const;

/** How a backend call ended: answered, failed, timed out, or skipped because the breaker was open. */
export type BackendCallResult = (typeof BACKEND_CALL_RESULTS)[number];

/**
 * Upper bounds (seconds) of the latency buckets of backend calls: from
 * 0.1 ms, since an in-process or pipelined call takes well under a
 * millisecond, up to the longest `backendTimeoutMs` (1 s).
 */
export const BACKEND_CALL_BUCKETS_SECONDS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];

/** The requests of one route template and method, by outcome. */
export interface RouteMetrics {
  /** The route's path template as the router knows it (`/products/:id`), never the URL. */
  route: string;
  method: string;
  /** Requests by outcome; every outcome is listed, zero when none. */
  outcomes: Record<CacheOutcome, number>;
  /** `bypass` requests by the reason `Cache-Status` gives (`cookie`, `authorization`, `no-store`, ...). */
  bypassReasons: Record<string, number>;
  /** All requests of the route and method. */
  total: number;
  /**
   * Body bytes the cache served on this route: the answers of `hit`,
   * `stale`, `collapsed` and `stale-if-error` requests (a 304 and a HEAD
   * send none; a response the handler made is not counted).
   */
  bytes: number;
}

/** The calls of one backend operation made while answering requests. */
export interface BackendCallMetrics {
  /** The `CacheBackend` method or lock step: `get`, `set`, `clearPath`, `lock`, ... */
  op: string;
  /** Calls by how they ended. */
  results: Record<BackendCallResult, number>;
  /** Seconds spent in the calls that were made (skipped ones take none). */
  seconds: number;
  /** The slowest call, in seconds. */
  maxSeconds: number;
}

/** Everything `CacheXMetrics` counted since the app started, as plain data. */
export interface CacheXMetricsSnapshot {
  /** One row per route template and method that served a request. */
  routes: RouteMetrics[];
  backend: {
    /** The backend's class name (`MemoryBackend`, `RedisBackend`, ...). */
    name: string;
    calls: BackendCallMetrics[];
    /** Entries held, when the backend can tell (`CacheBackend.stats`). */
    entries?: number;
    /** Bytes held, when the backend can tell. */
    bytes?: number;
  };
}

/** Called by `CacheXMetrics` as it counts, for exporters such as `nestjs-cachex/prometheus`. */
export interface CacheXMetricsListener {
  request?(route: string, method: string, outcome: CacheOutcome): void;
  backendCall?(op: string, result: BackendCallResult, seconds: number): void;
}

/**
 * How many route templates are counted apart; past it, requests of new
 * routes count under `OTHER_ROUTE`. Templates are few in any app: this
 * bounds a bug, not a workload.
 */
const MAX_ROUTES = 1000;
/** Where routes past `MAX_ROUTES` are counted. */
const OTHER_ROUTE = '(other)';
/** The outcomes whose body the cache sent, counted in `RouteMetrics.bytes`. */
const SERVED_WITH_BODY: ReadonlySet<CacheOutcome> = new Set<CacheOutcome>([
  'hit',
  'stale',
  'collapsed',
  'stale-if-error',
]);

/**
 * What the cache did, always counted, at the cost of a map lookup and an
 * increment per request: per route template and method, how many requests
 * ended in each `CacheOutcome` (exactly one per GET/HEAD of a `@Cache()`
 * route); per backend operation, the calls made while answering requests,
 * how they ended and how long they took; and the backend's entry and byte
 * counts where it can tell. Provided and exported by `CacheXModule`.
 *
 * @example
 * constructor(private readonly metrics: CacheXMetrics) {}
 * const { routes } = await this.metrics.snapshot();
 * const hits = routes.find((r) => r.route === '/products/:id')?.outcomes.hit;
 */
@Injectable()
export class CacheXMetrics {
  private readonly routes = new Map<string, RouteMetrics>();
  private readonly calls = new Map<string, BackendCallMetrics>();
  private readonly listeners = new Set<CacheXMetricsListener>();

  constructor(@Inject(CacheBackend) private readonly backend: CacheBackend) {}

  /** The backend's name in reports: its class name. */
  get backendName(): string {
    return this.backend.constructor.name;
  }

  /** A copy of everything counted so far, with the backend's entry and byte counts. */
  async snapshot(): Promise<CacheXMetricsSnapshot> {
    const stats = await this.backendStats();
    return {
      routes: [...this.routes.values()].map((row) => ({
        ...row,
        outcomes: { ...row.outcomes },
        bypassReasons: { ...row.bypassReasons },
      })),
      backend: {
        name: this.backendName,
        calls: [...this.calls.values()].map((row) => ({ ...row, results: { ...row.results } })),
        ...stats,
      },
    };
  }

  /**
   * @internal The backend's entry and byte counts, where it can tell
   * (`CacheBackend.stats`); nothing when it fails to say.
   */
  async backendStats(): Promise<CacheBackendStats> {
    return this.backend.stats().catch(() => ({}));
  }

  /**
   * Calls `listener` for each request and backend call counted from now on;
   * returns the function that stops it.
   */
  subscribe(listener: CacheXMetricsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Counts one request's outcome; `reason` is a bypass's `Cache-Status`
   * detail, `bytes` the length of the body answered (counted when the cache
   * served it).
   * @internal
   */
  countRequest(
    route: string,
    method: string,
    outcome: CacheOutcome,
    reason?: string,
    bytes = 0,
  ): void {
    const row = this.routeRow(route, method);
    row.outcomes[outcome]++;
    row.total++;
    if (bytes > 0 && method !== 'HEAD' && SERVED_WITH_BODY.has(outcome)) row.bytes += bytes;
    if (outcome === 'bypass' && reason) {
      row.bypassReasons[reason] = (row.bypassReasons[reason] ?? 0) + 1;
    }
    for (const listener of this.listeners) listener.request?.(row.route, method, outcome);
  }

  /**
   * Counts one backend call and its duration.
   * @internal
   */
  countBackendCall(op: string, result: BackendCallResult, seconds: number): void {
    let row = this.calls.get(op);
    if (!row) {
      row = { op, results: zeroed(BACKEND_CALL_RESULTS), seconds: 0, maxSeconds: 0 };
      this.calls.set(op, row);
    }
    row.results[result]++;
    row.seconds += seconds;
    if (seconds > row.maxSeconds) row.maxSeconds = seconds;
    for (const listener of this.listeners) listener.backendCall?.(op, result, seconds);
  }

  private routeRow(route: string, method: string): RouteMetrics {
    const id = `${method} ${route}`;
    let row = this.routes.get(id);
    if (row) return row;
    if (this.routes.size >= MAX_ROUTES && route !== OTHER_ROUTE) {
      return this.routeRow(OTHER_ROUTE, method);
    }
    row = {
      route,
      method,
      outcomes: zeroed(CACHE_OUTCOMES),
      bypassReasons: {},
      total: 0,
      bytes: 0,
    };
    this.routes.set(id, row);
    return row;
  }
}

/** A count of zero for each of `keys`, in their order. */
function zeroed<Key extends string>(keys: readonly Key[]): Record<Key, number> {
  const counts = {} as Record<Key, number>;
  for (const key of keys) counts[key] = 0;
  return counts;
}
