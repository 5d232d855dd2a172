/**
 * Sessions next to the response cache (stored on CacheXModule's backend; the
 * private-data rule keyed per session), and a session store that is down.
 */
import { Controller, Get, type INestApplication, UseGuards } from '@nestjs/common';
import { Cache, type CacheBackend, CacheXModule } from 'nestjs-cachex';
import { Session, type SessionData, SessionGuard } from 'nestjs-cachex/session';
import request from 'supertest';

import { backendCases, describeEachBackend } from '../support/backends.js';
import {
  DownBackend,
  makeSessionApp,
  managerOf,
  platforms,
  SECRET,
  UNAUTHORIZED,
  UNAVAILABLE,
  uniquePrefix,
} from './session-app.js';

let privateRuns = 0;

@Controller('private')
class PrivateController {
  @UseGuards(SessionGuard)
  @Cache({ private: true, ttl: 60 })
  @Get()
  mine(@Session() session: SessionData) {
    return { user: session.user?.id ?? null, run: ++privateRuns };
  }
}

@Controller('public')
class PublicController {
  @UseGuards(SessionGuard)
  @Cache({ public: true, ttl: 60 })
  @Get()
  everyone() {
    return { same: 'for everyone' };
  }
}

describeEachBackend('sessions with CacheXModule', (backendCase, platform) => {
  let app: INestApplication;
  let backend: CacheBackend;
  const http = () => request(app.getHttpServer());
  // supertest listens on a new port per request: a fixed Host keeps one cache key.
  const get = (path: string) => http().get(path).set('Host', 'sessions.test');

  beforeAll(async () => {
    backend = backendCase.create({ keyPrefix: uniquePrefix('cachex') });
    app = await makeSessionApp(
      { secret: SECRET }, // no backend: CacheXModule's is used
      {
        platform,
        imports: [CacheXModule.forRoot({ backend })],
        controllers: [PrivateController],
      },
    );
  });
  afterAll(() => app.close());

  it("stores sessions on CacheXModule's backend, apart from the response cache", async () => {
    const { session, token } = await managerOf(app).create({ id: 'on-cachex' });
    await http().get('/me').set('x-session-token', token).expect(200);
    // The record is in this backend's session namespace (default prefix `session:`).
    const stored = await backend.namespace('session:').get(`s:${session.id}`);
    expect(JSON.parse(stored!)).toMatchObject({ id: session.id, user: { id: 'on-cachex' } });
    await backend.clear(); // clears responses, never sessions
    await http().get('/me').set('x-session-token', token).expect(200);
    expect(await backend.namespace('session:').get(`s:${session.id}`)).toBe(stored);
  });

  it('caches a private guarded route per session and never serves one user the body of another', async () => {
    const alice = await managerOf(app).create({ id: 'alice' });
    const bob = await managerOf(app).create({ id: 'bob' });
    const runsBefore = privateRuns;

    const a1 = await get('/private').set('x-session-token', alice.token).expect(200);
    expect(a1.body.user).toBe('alice');
    expect(a1.headers['cache-status']).toBe('cachex; fwd=miss; stored');
    const a2 = await get('/private').set('x-session-token', alice.token).expect(200);
    expect(a2.headers['cache-status']).toMatch(/^cachex; hit/);
    expect(a2.body).toEqual(a1.body);

    const b1 = await get('/private').set('Authorization', `Bearer ${bob.token}`).expect(200);
    expect(b1.body.user).toBe('bob');
    const b2 = await get('/private').set('Authorization', `Bearer ${bob.token}`).expect(200);
    expect(b2.body).toEqual(b1.body);
    expect(privateRuns - runsBefore).toBe(2);

    // No session, no cached body either: the guard answers first.
    await get('/private').expect(401, UNAUTHORIZED);
    await get('/private').set('x-session-token', 'forged').expect(401, UNAUTHORIZED);
  });

  it("never replays one user's renewed token from a public entry to another", async () => {
    const renewing = await makeSessionApp(
      { secret: SECRET, slidingThreshold: 1 }, // every request renews
      {
        platform,
        imports: [
          CacheXModule.forRoot({
            backend: backendCase.create({ keyPrefix: uniquePrefix('pub') }),
          }),
        ],
        controllers: [PublicController],
      },
    );
    const alice = await managerOf(renewing).create({ id: 'alice' });
    const bob = await managerOf(renewing).create({ id: 'bob' });
    const server = () =>
      request(renewing.getHttpServer()).get('/public').set('Host', 'public.test');
    const a = await server().set('x-session-token', alice.token).expect(200);
    expect(a.headers['cache-status']).toBe('cachex; fwd=miss; stored');
    const aliceRenewed = a.headers['x-session-token'];
    expect(aliceRenewed).toBeDefined();
    const b = await server().set('x-session-token', bob.token).expect(200);
    expect(b.headers['cache-status']).toMatch(/^cachex; hit/);
    expect(b.headers['x-session-token']).not.toBe(aliceRenewed);
    expect((await managerOf(renewing).get(b.headers['x-session-token']!)).session.user?.id).toBe(
      'bob',
    );
    await renewing.close();
  });
});

describe.each(platforms)('a session store that is down, %s', (platform) => {
  for (const mode of ['reject', 'hang'] as const) {
    describe(`(${mode === 'reject' ? 'every call rejects' : 'no call ever answers'})`, () => {
      let app: INestApplication;
      let token: string;
      const http = () => request(app.getHttpServer());

      beforeAll(async () => {
        // A token that verifies (same secret), for a store that cannot be read.
        const healthy = await makeSessionApp(
          { secret: SECRET, backend: backendCases[0]!.create() },
          { platform },
        );
        token = (await managerOf(healthy).create({ id: 'down' })).token;
        await healthy.close();
        app = await makeSessionApp(
          { secret: SECRET, backend: new DownBackend(mode), backendTimeoutMs: 100 },
          { platform },
        );
      });
      afterAll(() => app.close());

      it('answers 503 with a generic body on guarded routes', async () => {
        const started = Date.now();
        const res = await http().get('/me').set('x-session-token', token).expect(503);
        expect(res.body).toEqual(UNAVAILABLE);
        expect(res.text).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|timeout|session store/i);
        expect(Date.now() - started).toBeLessThan(1000);
      });

      it('serves optional routes as anonymous', async () => {
        await http().get('/hello').set('x-session-token', token).expect(200, { session: null });
      });

      it('still rejects a bad token with 401 before touching the store', async () => {
        await http().get('/me').set('x-session-token', 'garbage').expect(401, UNAUTHORIZED);
        await http().get('/me').expect(401, UNAUTHORIZED);
      });

      it('answers 503 when a session cannot be created', async () => {
        const res = await http().post('/login').send({ userId: 'x' }).expect(503);
        expect(res.body).toEqual(UNAVAILABLE);
      });
    });
  }
});
