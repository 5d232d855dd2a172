import { type DynamicModule, Module } from '@nestjs/common';
import { CacheXPrometheusExporter } from './prometheus.exporter.js';
import { ConfigurableModuleClass, type OPTIONS_TYPE } from './prometheus.module-definition.js';

/**
 * Exposes `CacheXMetrics` to Prometheus through prom-client, on the
 * registry given or prom-client's default one (so an app already serving
 * `/metrics`, with `@willsoto/nestjs-prometheus` say, shows them there):
 * - `cachex_requests_total{route, method, outcome}` (counter)
 * - `cachex_backend_calls_total{backend, op, result}` (counter; result `ok`,
 *   `error`, `timeout` or `skipped`)
 * - `cachex_backend_call_seconds{backend, op}` (histogram, buckets from 0.1 ms to 1 s)
 * - `cachex_entries{backend}`, `cachex_bytes{backend}` (gauges, where the backend can tell)
 *
 * Needs `prom-client` (an optional peer) and `CacheXModule`.
 *
 * @example
 * @Module({ imports: [CacheXModule.forRoot(), CacheXPrometheusModule.register()] })
 * export class AppModule {}
 */
@Module({ providers: [CacheXPrometheusExporter] })
export class CacheXPrometheusModule extends ConfigurableModuleClass {
  /** Registers the metrics; with no registry given, on prom-client's default one. */
  static override register(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    return super.register(options);
  }
}
