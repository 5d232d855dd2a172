import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { CacheXError } from '../common/errors.js';
import { type RateLimitedLogger } from '../common/rate-limited-logger.js';
import { CacheXTimeoutError, withTimeout } from '../common/with-timeout.js';
import { traced, tracing } from '../metrics/cache-tracing.js';
import { CacheXMetrics } from '../metrics/cachex-metrics.service.js';
import { BackendBreaker, logBreakerChanges } from './backend-breaker.js';
import { RESOLVED_CACHEX_OPTIONS } from './cache.constants.js';
import { type ResolvedCacheXOptions } from './cache-module.options.js';

/** What `BackendCalls.run` resolves to when the backend erred, did not answer in time, or was skipped. */
export const BACKEND_FAILED = Symbol('backend failed');

/** A backend call skipped because the breaker is open. */
export class BackendSkippedError extends CacheXError {
  constructor(operation: string) {
    super(`CacheBackend.${operation} skipped: the backend breaker is open`, 'CACHEX_BREAKER_OPEN');
  }
}

/**
 * Every backend call made while answering a request goes through here:
 * bounded by `backendTimeoutMs`, and skipped at once while the breaker is
 * open (`backendBreakerFailures` failures in a row open it for
 * `backendBreakerMs`), so an outage costs requests no timeout. State changes
 * are logged once each. Each call is counted and timed in `CacheXMetrics`
 * and traced on `cachex:backend`.
 */
@Injectable()
export class BackendCalls {
  private readonly breaker: BackendBreaker;
  private readonly timeoutMs: number;
  /** The backend's name in `cachex:backend` traces; the backend never changes. */
  private readonly backendName: string;

  constructor(
    @Inject(RESOLVED_CACHEX_OPTIONS) options: ResolvedCacheXOptions,
    @Optional() private readonly metrics?: CacheXMetrics,
  ) {
    this.timeoutMs = options.backendTimeoutMs;
    this.backendName = metrics?.backendName ?? 'CacheBackend';
    this.breaker = new BackendBreaker({
      failures: options.backendBreakerFailures,
      openMs: options.backendBreakerMs,
      onChange: logBreakerChanges(new Logger('CacheXBackend'), 'Backend'),
    });
  }

  /** Whether backend calls are being skipped now. */
  get breakerOpen(): boolean {
    return this.breaker.isOpen;
  }

  /**
   * Runs a call, resolving to its value or to `BACKEND_FAILED` (logged,
   * rate-limited, unless it was skipped): never throws, so a backend that is
   * down or hangs never fails the request.
   */
  async run<T>(
    log: RateLimitedLogger,
    operation: string,
    call: () => Promise<T>,
  ): Promise<T | typeof BACKEND_FAILED> {
    try {
      return await this.bounded(operation, call);
    } catch (error) {
      if (!(error instanceof BackendSkippedError)) {
        log.error(
          operation,
          `CacheBackend.${operation} failed; answering without the cache`,
          error,
        );
      }
      return BACKEND_FAILED;
    }
  }

  /** Runs a call under the bound and the breaker; rejects when it fails or is skipped. */
  async bounded<T>(operation: string, call: () => Promise<T>): Promise<T> {
    if (!this.breaker.allow()) {
      this.metrics?.countBackendCall(operation, 'skipped', 0);
      throw new BackendSkippedError(operation);
    }
    const started = performance.now();
    const run = () => withTimeout(call(), this.timeoutMs, `CacheBackend.${operation}`);
    try {
      // The context is built only for a subscriber: a hit's get allocates nothing for tracing.
      const value = await (tracing.backend.hasSubscribers
        ? traced(tracing.backend, { op: operation, backend: this.backendName }, run)
        : run());
      this.breaker.succeeded();
      this.metrics?.countBackendCall(operation, 'ok', secondsSince(started));
      return value;
    } catch (error) {
      this.breaker.failedCall();
      const result = error instanceof CacheXTimeoutError ? 'timeout' : 'error';
      this.metrics?.countBackendCall(operation, result, secondsSince(started));
      throw error;
    }
  }
}

function secondsSince(startedMs: number): number {
  return (performance.now() - startedMs) / 1000;
}
