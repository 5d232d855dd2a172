/**
 * Declarative caching over HTTP, on every platform and backend:
 * `CDN-Cache-Control` beside `Cache-Control`.
 */
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Cache, type CacheBackend, CacheXModule } from 'nestjs-cachex';
import request from 'supertest';
import { type BackendCase, backendCases, describeBackend } from '../support/backends.js';
import { type Platform, platforms, startApp } from '../support/cache-app.js';

@Controller()
class CatalogController {
  @Cache({ ttl: 10, cdn: { maxAge: 3600, staleWhileRevalidate: 60, staleIfError: 86400 } })
  @Get('catalog')
  catalog() {
    return { items: 3 };
  }
}

async function startCatalog(backend: CacheBackend, platform: Platform): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [CacheXModule.forRoot({ backend })],
    controllers: [CatalogController],
  }).compile();
  return startApp(moduleRef, platform);
}

const prefixOf = (backendCase: BackendCase, platform: Platform, suite: string): string =>
  `declarative-${suite}-${backendCase.name}-${platform}-${process.pid}-${Date.now()}:`;

describe.each(platforms)('declarative caching on %s', (platform) => {
  for (const backendCase of backendCases) {
    describeBackend(backendCase)(`on ${backendCase.name}`, () => {
      describe('CDN-Cache-Control', () => {
        let app: INestApplication;
        beforeAll(async () => {
          app = await startCatalog(
            backendCase.create({ keyPrefix: prefixOf(backendCase, platform, 'cdn') }),
            platform,
          );
        });
        afterAll(() => app.close());

        it('is sent beside Cache-Control on the miss, the hit and the 304', async () => {
          const cdn = 'max-age=3600, stale-while-revalidate=60, stale-if-error=86400';
          const miss = await request(app.getHttpServer()).get('/catalog').expect(200);
          expect(miss.headers['cache-control']).toBe('max-age=10');
          expect(miss.headers['cdn-cache-control']).toBe(cdn);
          const hit = await request(app.getHttpServer()).get('/catalog').expect(200);
          expect(hit.headers['cache-status']).toMatch(/hit/);
          expect(hit.headers['cdn-cache-control']).toBe(cdn);
          const notModified = await request(app.getHttpServer())
            .get('/catalog')
            .set('If-None-Match', hit.headers['etag']!)
            .expect(304);
          expect(notModified.headers['cdn-cache-control']).toBe(cdn);
        });
      });
    });
  }
});
