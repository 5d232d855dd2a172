import { type TracingChannel, tracingChannel } from 'node:diagnostics_channel';
import { type CacheOutcome } from '../http/cache-status.js';

/**
 * The names of the `node:diagnostics_channel` tracing channels the cache
 * publishes on, so OpenTelemetry or any APM can follow it without the
 * library depending on an SDK. Each is a `TracingChannel`: subscribe with
 * `tracingChannel(name).subscribe({ start, asyncEnd, error })`; the same
 * context object travels from `start` to `asyncEnd` (or `error`).
 * - `cachex:lookup` — one GET/HEAD of a `@Cache()` route in the
 *   `CacheInterceptor`: `CacheLookupContext`, whose `outcome` is set by the
 *   time it ends. A route answered before Nest's pipeline also publishes
 *   that early lookup (`early: true`); when it finds no fresh entry it ends
 *   without an `outcome`, and the interceptor's lookup follows.
 * - `cachex:fill` — the handler's run for a miss: `CacheFillContext`.
 * - `cachex:refresh` — a background refresh of a stale entry: `CacheFillContext`.
 * - `cachex:backend` — every backend call made while answering requests:
 *   `BackendCallContext`.
 *
 * Publishing costs nothing while no one subscribes.
 *
 * @example
 * import { tracingChannel } from 'node:diagnostics_channel';
 * tracingChannel(CACHEX_CHANNELS.backend).subscribe({
 *   start: (ctx) => (ctx.startedAt = performance.now()),
 *   asyncEnd: (ctx) => console.log(ctx.op, performance.now() - ctx.startedAt),
 *   end() {}, asyncStart() {}, error() {},
 * });
 */
export const CACHEX_CHANNELS = {
  lookup: 'cachex:lookup',
  fill: 'cachex:fill',
  refresh: 'cachex:refresh',
  backend: 'cachex:backend',
} as const;

/** The context of a `cachex:lookup` trace. */
export interface CacheLookupContext {
  /** The route's path template (`/products/:id`). */
  route: string;
  method: string;
  /** What the request came to; set before the trace ends (`undefined` if it threw first). */
  outcome?: CacheOutcome;
  /** `true` when answered before Nest's pipeline (early hits). */
  early?: boolean;
}

/** The context of a `cachex:fill` or `cachex:refresh` trace. */
export interface CacheFillContext {
  /** The storage key the entry is filled for. */
  key: string;
}

/** The context of a `cachex:backend` trace. */
export interface BackendCallContext {
  /** The `CacheBackend` method or lock step called: `get`, `set`, `clearPath`, `lock`, ... */
  op: string;
  /** The backend's class name. */
  backend: string;
}

/** The cache's tracing channels, made once. */
export const tracing = {
  lookup: tracingChannel<unknown, CacheLookupContext>(CACHEX_CHANNELS.lookup),
  fill: tracingChannel<unknown, CacheFillContext>(CACHEX_CHANNELS.fill),
  refresh: tracingChannel<unknown, CacheFillContext>(CACHEX_CHANNELS.refresh),
  backend: tracingChannel<unknown, BackendCallContext>(CACHEX_CHANNELS.backend),
};

/** Runs `run` traced on `channel` with `context` when someone listens; else just runs it. */
export function traced<T, C extends object>(
  channel: TracingChannel<unknown, C>,
  context: C,
  run: () => Promise<T>,
): Promise<T> {
  return channel.hasSubscribers ? channel.tracePromise(run, context) : run();
}
