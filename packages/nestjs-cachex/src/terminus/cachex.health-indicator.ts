import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { randomUUID } from 'node:crypto';
import { CacheBackend, type KeyValueStore, optionalNamespace } from '../backends/cache-backend.js';
import { TieredBackend } from '../backends/tiered.backend.js';
import { BackendCalls } from '../cache/backend-call.js';
import { RESOLVED_CACHEX_OPTIONS } from '../cache/cache.constants.js';
import { type ResolvedCacheXOptions } from '../cache/cache-module.options.js';
import { errorMessage } from '../common/errors.js';
import { withTimeout } from '../common/with-timeout.js';

/** The namespace the probe writes to, apart from responses, sessions and data. */
const HEALTH_NAMESPACE = 'health';

/**
 * A `@nestjs/terminus` health indicator for the cache's backend: a round
 * trip bounded by `backendTimeoutMs` — a value written, read back and
 * removed in a namespace of its own (a read of the response cache on a
 * backend without namespaces). Up with the round trip's duration; down with
 * the reason when it fails or does not answer in time. Made whatever the
 * breaker says, so the check sees a backend come back; the breaker's state is
 * reported too. On a `TieredBackend` the round trip reaches the shared tier,
 * and the bus is checked as well (`bus: 'up' | 'down'`): a disconnected bus
 * is down, since invalidations from other instances may then be lost (the
 * bus's own heartbeat, one ping a second on `RedisBus`, keeps its state
 * current). Needs `@nestjs/terminus` (an optional peer) and `CacheXModule`.
 *
 * @example
 * @Controller('health')
 * class HealthController {
 *   constructor(private health: HealthCheckService, private cache: CacheXHealthIndicator) {}
 *   @Get() @HealthCheck()
 *   check() { return this.health.check([() => this.cache.isHealthy()]); }
 * }
 * // module: imports: [TerminusModule], providers: [CacheXHealthIndicator]
 */
@Injectable()
export class CacheXHealthIndicator {
  /**
   * The probe's namespace (`store` undefined on a backend without namespaces),
   * made on the first probe: a backend whose `namespace()` throws is reported
   * down, and tried again at the next probe.
   */
  private probeStore?: { store: KeyValueStore | undefined };

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(CacheBackend) private readonly backend: CacheBackend,
    @Inject(RESOLVED_CACHEX_OPTIONS) private readonly options: ResolvedCacheXOptions,
    private readonly calls: BackendCalls,
  ) {}

  /** Checks the backend with one bounded round trip; the result is keyed `key`. */
  async isHealthy<const Key extends string = 'cache'>(key: Key = 'cache' as Key) {
    const indicator = this.indicators.check(key);
    const backend = this.backend.constructor.name;
    const breaker = this.calls.breakerOpen ? 'open' : 'closed';
    const started = performance.now();
    try {
      await withTimeout(this.roundTrip(), this.options.backendTimeoutMs, `${backend} health check`);
    } catch (error) {
      const message = errorMessage(error) ?? 'backend failed';
      return indicator.down({ backend, breaker, ...this.busState(), message });
    }
    const ms = Math.round((performance.now() - started) * 100) / 100;
    const bus = this.busState();
    if (bus.bus === 'down') {
      return indicator.down({
        backend,
        breaker,
        ...bus,
        ms,
        message: 'the bus is disconnected: invalidations from other instances may be lost',
      });
    }
    return indicator.up({ backend, breaker, ...bus, ms });
  }

  /** The bus's state on a `TieredBackend`; nothing on a backend without one. */
  private busState(): { bus?: 'up' | 'down' } {
    if (!(this.backend instanceof TieredBackend)) return {};
    return { bus: this.backend.busConnected ? 'up' : 'down' };
  }

  private async roundTrip(): Promise<void> {
    const { store } = (this.probeStore ??= {
      store: optionalNamespace(this.backend, HEALTH_NAMESPACE),
    });
    if (!store) {
      await this.backend.get('cachex-health-probe');
      return;
    }
    const key = `probe:${randomUUID()}`;
    const value = String(Date.now());
    await store.set(key, value, 10);
    const read = await store.get(key);
    await store.delete(key);
    if (read !== value) throw new Error('the backend did not return the value just written');
  }
}
