/**
 * `nestjs-cachex/prometheus` on both platforms: the metrics of API.md on a
 * given registry, checked by parsing the text prom-client exposes.
 */
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CacheXModule, MemoryBackend } from 'nestjs-cachex';
import { CacheXPrometheusModule } from 'nestjs-cachex/prometheus';
import { Registry } from 'prom-client';
import request from 'supertest';
import { CacheTestController, platforms, startApp } from '../support/cache-app.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus's text format (0.0.4): its samples, and each metric's TYPE. */
function parseExposition(text: string): { samples: Sample[]; types: Record<string, string> } {
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types[type[1]!] = type[2]!;
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { samples, types };
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length !== 1)
    throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]!.value;
}

describe.each(platforms)('CacheXPrometheusModule on %s', (platform) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(registry?: Registry): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheXModule.forRoot({ backend: new MemoryBackend() }),
        CacheXPrometheusModule.register(registry ? { registry } : {}),
      ],
      controllers: [CacheTestController],
    }).compile();
    return startApp(moduleRef, platform);
  }

  it('exposes requests by route, method and outcome, backend calls, latency, entries and bytes', async () => {
    const registry = new Registry();
    app = await start(registry);
    const http = () => request(app!.getHttpServer());
    await http().get('/items/1').expect(200);
    await http().get('/items/1').expect(200);
    await http().get('/items/2').set('Cookie', 'sid=1').expect(200);
    await http().head('/items/1').expect(200);

    const { samples, types } = parseExposition(await registry.metrics());
    expect(types).toEqual({
      cachex_requests_total: 'counter',
      cachex_backend_calls_total: 'counter',
      cachex_backend_call_seconds: 'histogram',
      cachex_entries: 'gauge',
      cachex_bytes: 'gauge',
    });
    const requests = (method: string, outcome: string) =>
      valueOf(samples, 'cachex_requests_total', { route: '/items/:id', method, outcome });
    expect(requests('GET', 'stored')).toBe(1);
    expect(requests('GET', 'hit')).toBe(1);
    expect(requests('GET', 'bypass')).toBe(1);
    expect(requests('HEAD', 'hit')).toBe(1);
    expect(
      samples.filter((s) => s.name === 'cachex_requests_total').reduce((n, s) => n + s.value, 0),
    ).toBe(4);

    const backend = 'MemoryBackend';
    const gets = valueOf(samples, 'cachex_backend_calls_total', {
      backend,
      op: 'get',
      result: 'ok',
    });
    expect(gets).toBeGreaterThanOrEqual(3);
    expect(
      valueOf(samples, 'cachex_backend_calls_total', { backend, op: 'set', result: 'ok' }),
    ).toBe(1);
    // The histogram counts every call made, its sub-millisecond buckets included.
    expect(valueOf(samples, 'cachex_backend_call_seconds_count', { backend, op: 'get' })).toBe(
      gets,
    );
    const buckets = samples.filter(
      (s) => s.name === 'cachex_backend_call_seconds_bucket' && s.labels['op'] === 'get',
    );
    expect(buckets.map((s) => s.labels['le'])).toEqual(
      expect.arrayContaining(['0.0001', '0.001', '+Inf']),
    );
    expect(buckets.find((s) => s.labels['le'] === '+Inf')!.value).toBe(gets);

    expect(valueOf(samples, 'cachex_entries', { backend })).toBe(1);
    expect(valueOf(samples, 'cachex_bytes', { backend })).toBeGreaterThan(0);
  });

  it('uses the default registry when none is given, and leaves it when the app closes', async () => {
    const { register } = await import('prom-client');
    app = await start();
    await request(app.getHttpServer()).get('/items/1').expect(200);
    const { samples } = parseExposition(await register.metrics());
    expect(
      valueOf(samples, 'cachex_requests_total', { route: '/items/:id', outcome: 'stored' }),
    ).toBe(1);
    await app.close();
    app = undefined;
    expect(register.getSingleMetric('cachex_requests_total')).toBeUndefined();
  });
});
