import { TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { type KeyValueStore } from '../backends/cache-backend.js';
import { MemoryBackend } from '../backends/memory.backend.js';
import { CacheXModule } from '../cache/cache.module.js';
import { CacheXHealthIndicator } from './cachex.health-indicator.js';

/** A backend that counts the namespaces asked of it, and may fail to make one. */
class CountingBackend extends MemoryBackend {
  namespaces = 0;
  failNamespace = false;

  override namespace(name: string): KeyValueStore {
    this.namespaces++;
    if (this.failNamespace) throw new Error('namespace down');
    return super.namespace(name);
  }
}

describe('CacheXHealthIndicator', () => {
  const setup = async (backend: CountingBackend) => {
    const moduleRef = await Test.createTestingModule({
      imports: [CacheXModule.forRoot({ backend }), TerminusModule.forRoot({ logger: false })],
      providers: [CacheXHealthIndicator],
    }).compile();
    return { moduleRef, indicator: moduleRef.get(CacheXHealthIndicator) };
  };

  it('makes its namespace once, on the first probe', async () => {
    const backend = new CountingBackend();
    const { moduleRef, indicator } = await setup(backend);
    try {
      const before = backend.namespaces;
      expect(await indicator.isHealthy()).toMatchObject({ cache: { status: 'up' } });
      expect(await indicator.isHealthy()).toMatchObject({ cache: { status: 'up' } });
      expect(backend.namespaces - before).toBe(1);
    } finally {
      await moduleRef.close();
    }
  });

  it('is down while the namespace cannot be made, and up once it can', async () => {
    const backend = new CountingBackend();
    const { moduleRef, indicator } = await setup(backend);
    try {
      backend.failNamespace = true;
      expect(await indicator.isHealthy()).toMatchObject({
        cache: { status: 'down', message: 'namespace down' },
      });
      backend.failNamespace = false;
      expect(await indicator.isHealthy()).toMatchObject({ cache: { status: 'up' } });
    } finally {
      await moduleRef.close();
    }
  });
});
