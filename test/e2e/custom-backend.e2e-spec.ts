/**
 * A backend written to the documented contract (API.md "Writing a backend"):
 * a class that implements only the response-cache methods starts and serves
 * the response cache, coalesces in the process, and the rest refuses clearly.
 */
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Cache,
  CacheBackend,
  type CacheEntry,
  CacheManager,
  CacheXConfigError,
  CacheXModule,
  CacheXUnsupportedError,
} from 'nestjs-cachex';
import { SessionModule } from 'nestjs-cachex/session';
import request from 'supertest';
import { platforms, startApp } from '../support/cache-app.js';
import { sleep } from '../support/time.js';

/** The smallest backend API.md allows: the response-cache methods, on a Map. */
class MapBackend extends CacheBackend {
  readonly entries = new Map<string, CacheEntry>();

  async get(key: string): Promise<CacheEntry | undefined> {
    return this.entries.get(key);
  }
  async set(key: string, entry: CacheEntry): Promise<void> {
    this.entries.set(key, entry);
  }
  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }
  async clear(): Promise<number> {
    const count = this.entries.size;
    this.entries.clear();
    return count;
  }
  async clearPath(path: string): Promise<number> {
    let count = 0;
    for (const [key, entry] of this.entries) {
      if (entry.path === path && this.entries.delete(key)) count++;
    }
    return count;
  }
  async clearPattern(): Promise<number> {
    return -1;
  }
  async keys(): Promise<string[]> {
    return [...this.entries.keys()];
  }
  async close(): Promise<void> {}
}

let runs = 0;

@Controller()
class CustomController {
  @Cache(60)
  @Get('thing')
  async thing() {
    const run = ++runs;
    await sleep(200);
    return { run };
  }
}

describe.each(platforms)('A backend with only the response-cache methods, %s', (platform) => {
  let app: INestApplication;
  let backend: MapBackend;

  beforeAll(async () => {
    backend = new MapBackend();
    const moduleRef = await Test.createTestingModule({
      imports: [CacheXModule.forRoot({ backend })],
      controllers: [CustomController],
    }).compile();
    app = await startApp(moduleRef, platform);
  });
  afterAll(() => app.close());
  beforeEach(async () => {
    runs = 0;
    await backend.clear();
  });

  it('starts, stores and serves hits', async () => {
    const miss = await request(app.getHttpServer()).get('/thing').expect(200);
    expect(miss.headers['cache-status']).toBe('cachex; fwd=miss; stored');
    const hit = await request(app.getHttpServer()).get('/thing').expect(200);
    expect(hit.headers['cache-status']).toMatch(/^cachex; hit/);
    expect(hit.body).toEqual({ run: 1 });
    expect(backend.entries.size).toBe(1);
  });

  it('coalesces concurrent misses in the process', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => request(app.getHttpServer()).get('/thing').expect(200)),
    );
    expect(runs).toBe(1);
    for (const res of answers) expect(res.body).toEqual({ run: 1 });
  });

  it('refuses invalidateTags, naming the method and the backend', async () => {
    const refused = backend.invalidateTags(['a']);
    await expect(refused).rejects.toBeInstanceOf(CacheXUnsupportedError);
    await expect(refused).rejects.toThrow(/MapBackend does not support invalidateTags\(\)/);
  });

  it('has CacheManager refuse every call with a CacheXConfigError naming namespace()', async () => {
    const manager = app.get(CacheManager);
    const refused = manager.set('k', 1);
    await expect(refused).rejects.toBeInstanceOf(CacheXConfigError);
    await expect(refused).rejects.toThrow(/namespace\(\).*MapBackend/);
  });
});

describe('SessionModule on a backend without namespace()', () => {
  it('fails at start-up with a CacheXConfigError naming namespace()', async () => {
    const compiling = Test.createTestingModule({
      imports: [
        CacheXModule.forRoot({ backend: new MapBackend() }),
        SessionModule.forRoot({ secret: 's'.repeat(32) }),
      ],
    }).compile();
    await expect(compiling).rejects.toThrow(/SessionModule needs a backend with namespace\(\)/);
  });
});
