// The classic tsconfig has no esModuleInterop: supertest is imported whole.
import * as request from 'supertest';
import { createApp } from './create-app';
import { optionalBackends, sessionClasses } from './../src/optional-entries';

describe('the optional entry points under node10 resolution (e2e)', () => {
  it('load through typesVersions, as the classes they name', () => {
    expect([...optionalBackends, ...sessionClasses].map((c) => c.name)).toEqual(
      [
        'RedisBackend',
        'MemcachedBackend',
        'SessionModule',
        'SessionManager',
        'SessionData',
      ],
    );
  });

  it('leave the main entry serving a hit', async () => {
    const app = await createApp();
    try {
      await request(app.getHttpServer()).get('/cached').expect(200);
      const hit = await request(app.getHttpServer()).get('/cached');
      expect(hit.headers['cache-status']).toMatch(/^cachex; hit/);
    } finally {
      await app.close();
    }
  });
});
