import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge, Histogram, register as defaultRegistry, type Registry } from 'prom-client';
import { type CacheBackendStats } from '../backends/cache-backend.js';
import { CacheXConfigError } from '../common/errors.js';
import { BACKEND_CALL_BUCKETS_SECONDS, CacheXMetrics } from '../metrics/cachex-metrics.service.js';
import {
  CACHEX_PROMETHEUS_OPTIONS,
  type CacheXPrometheusOptions,
} from './prometheus.module-definition.js';

/** The names `CacheXPrometheusModule` registers. */
const NAMES = [
  'cachex_requests_total',
  'cachex_backend_calls_total',
  'cachex_backend_call_seconds',
  'cachex_entries',
  'cachex_bytes',
] as const;

/**
 * Keeps prom-client metrics in step with `CacheXMetrics`: counters and the
 * histogram as each request and backend call is counted, the gauges read
 * from the backend at each scrape. Takes them off the registry when the app
 * closes.
 */
@Injectable()
export class CacheXPrometheusExporter implements OnModuleDestroy {
  private readonly registry: Registry;
  private readonly unsubscribe: () => void;

  constructor(
    @Inject(CACHEX_PROMETHEUS_OPTIONS) options: CacheXPrometheusOptions,
    metrics: CacheXMetrics,
  ) {
    const registry = (this.registry = options.registry ?? defaultRegistry);
    const taken = NAMES.find((name) => registry.getSingleMetric(name) !== undefined);
    if (taken) {
      throw new CacheXConfigError(
        `CacheXPrometheusModule: ${taken} is already registered on this registry; give each app its own (option registry)`,
      );
    }
    const backend = metrics.backendName;
    const registers = [registry];
    const requests = new Counter({
      name: 'cachex_requests_total',
      help: 'GET/HEAD requests of @Cache routes, by route template, method and outcome',
      labelNames: ['route', 'method', 'outcome'] as const,
      registers,
    });
    const calls = new Counter({
      name: 'cachex_backend_calls_total',
      help: 'Backend calls made while answering requests, by operation and result (ok, error, timeout, skipped)',
      labelNames: ['backend', 'op', 'result'] as const,
      registers,
    });
    const latency = new Histogram({
      name: 'cachex_backend_call_seconds',
      help: 'Duration of backend calls made while answering requests',
      labelNames: ['backend', 'op'] as const,
      buckets: [...BACKEND_CALL_BUCKETS_SECONDS],
      registers,
    });
    // prom-client starts every collect of a scrape in one tick: both gauges share one stats() call.
    let pending: Promise<CacheBackendStats> | undefined;
    const size = () =>
      (pending ??= metrics.backendStats().finally(() => {
        pending = undefined;
      }));
    new Gauge({
      name: 'cachex_entries',
      help: 'Response entries the backend holds, where it can tell',
      labelNames: ['backend'] as const,
      registers,
      async collect() {
        const { entries } = await size();
        if (entries !== undefined) this.set({ backend }, entries);
      },
    });
    new Gauge({
      name: 'cachex_bytes',
      help: 'Bytes the backend holds for response entries, where it can tell',
      labelNames: ['backend'] as const,
      registers,
      async collect() {
        const { bytes } = await size();
        if (bytes !== undefined) this.set({ backend }, bytes);
      },
    });
    this.unsubscribe = metrics.subscribe({
      request: (route, method, outcome) => requests.inc({ route, method, outcome }),
      backendCall: (op, result, seconds) => {
        calls.inc({ backend, op, result });
        if (result !== 'skipped') latency.observe({ backend, op }, seconds);
      },
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
    for (const name of NAMES) this.registry.removeSingleMetric(name);
  }
}
