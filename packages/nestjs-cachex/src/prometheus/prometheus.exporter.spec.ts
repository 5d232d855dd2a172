import { Registry } from 'prom-client';
import { type CacheBackendStats } from '../backends/cache-backend.js';
import { MemoryBackend } from '../backends/memory.backend.js';
import { CacheXMetrics } from '../metrics/cachex-metrics.service.js';
import { CacheXPrometheusExporter } from './prometheus.exporter.js';

/** A backend that counts its `stats()` calls, and may fail them. */
class CountingBackend extends MemoryBackend {
  statsCalls = 0;
  failStats = false;

  override async stats(): Promise<CacheBackendStats> {
    this.statsCalls++;
    if (this.failStats) throw new Error('stats down');
    return { entries: 3, bytes: 120 };
  }
}

describe('CacheXPrometheusExporter', () => {
  const setup = () => {
    const backend = new CountingBackend();
    const registry = new Registry();
    const exporter = new CacheXPrometheusExporter({ registry }, new CacheXMetrics(backend));
    return { backend, registry, exporter };
  };

  it('reads the backend once per scrape for both gauges', async () => {
    const { backend, registry, exporter } = setup();
    try {
      const text = await registry.metrics();
      expect(backend.statsCalls).toBe(1);
      expect(text).toContain('cachex_entries{backend="CountingBackend"} 3');
      expect(text).toContain('cachex_bytes{backend="CountingBackend"} 120');
      await registry.metrics();
      expect(backend.statsCalls).toBe(2);
    } finally {
      exporter.onModuleDestroy();
      await backend.close();
    }
  });

  it('leaves the gauges empty when the backend fails to tell', async () => {
    const { backend, registry, exporter } = setup();
    backend.failStats = true;
    try {
      const text = await registry.metrics();
      expect(text).not.toMatch(/^cachex_entries\{/m);
      expect(text).not.toMatch(/^cachex_bytes\{/m);
      backend.failStats = false;
      expect(await registry.metrics()).toContain('cachex_entries{backend="CountingBackend"} 3');
    } finally {
      exporter.onModuleDestroy();
      await backend.close();
    }
  });
});
