/**
 * Sessions over HTTP (API.md "Sessions", issue 4), one suite run against every
 * backend: lifecycle, every 401 cause, sliding renewal through header and
 * cookie, absolute timeout, bindings, regenerate, logout everywhere, flash,
 * optional routes, the end-of-request save, JWT tokens.
 */
import { createHmac } from 'node:crypto';

import { jest } from '@jest/globals';
import { type INestApplication, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';

import { describeEachBackend } from '../support/backends.js';
import { fakeClock } from '../support/fake-clock.js';
import {
  CountingBackend,
  makeSessionApp,
  managerOf,
  PREVIOUS_SECRET,
  RETIRED_SECRET,
  SECRET,
  UNAUTHORIZED,
  uniquePrefix,
} from './session-app.js';

/** A simple-format token for `id`, signed with any secret (to forge test cases). */
function simpleToken(id: string, secret: string, expiresAt = Date.now() + 60_000): string {
  const payload = `${id}.${Math.ceil(expiresAt)}`;
  return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
}

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The `Set-Cookie` values of a response. */
const cookiesOf = (res: request.Response): string[] => {
  const value = res.headers['set-cookie'] as string | string[] | undefined;
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
};

/** The session cookie's value from a response. */
const sessionCookie = (res: request.Response, name = 'sid'): string | undefined => {
  const cookie = cookiesOf(res).find((c) => c.startsWith(`${name}=`));
  return cookie === undefined
    ? undefined
    : decodeURIComponent(cookie.slice(name.length + 1).split(';')[0]!);
};

describeEachBackend('sessions', (backendCase, platform) => {
  describe('simple tokens: lifecycle, transports and every 401 cause', () => {
    let app: INestApplication;
    let backend: CountingBackend;
    const http = () => request(app.getHttpServer());
    /** Creates a session through the manager (no HTTP), so tests can start from a token. */
    const create = async (userId?: string) =>
      managerOf(app).create(userId === undefined ? undefined : { id: userId });

    beforeAll(async () => {
      backend = new CountingBackend(backendCase.create({ keyPrefix: uniquePrefix('main') }));
      app = await makeSessionApp(
        {
          secret: [SECRET, PREVIOUS_SECRET],
          backend,
          cookie: { name: 'sid' },
        },
        { platform },
      );
    });
    afterAll(() => app.close());

    it('creates an anonymous session over HTTP, delivered as a cookie, that passes the guard', async () => {
      const res = await http().post('/login').send({}).expect(200);
      const cookie = cookiesOf(res).find((c) => c.startsWith('sid='));
      expect(cookie).toMatch(
        /^sid=[^;]+; Path=\/; Max-Age=360\d; Expires=[^;]+; HttpOnly; SameSite=Lax$/,
      );
      expect(res.headers['x-session-token']).toBeUndefined();
      expect(sessionCookie(res)).toBe(res.body.token);

      const me = await http()
        .get('/me')
        .set('Cookie', `other=1; sid=${res.body.token}`)
        .expect(200);
      expect(me.body).toEqual({ id: res.body.id, user: null, data: {} });
    });

    it('accepts the token from the header, a bearer token and the cookie', async () => {
      const { session, token } = await create('u-transports');
      for (const [name, value] of [
        ['x-session-token', token],
        ['Authorization', `Bearer ${token}`],
        ['Cookie', `sid=${encodeURIComponent(token)}`],
      ] as const) {
        const me = await http().get('/me').set(name, value).expect(200);
        expect(me.body.id).toBe(session.id);
        expect(me.body.user).toEqual({ id: 'u-transports' });
        // Nothing renewed, nothing sent back.
        expect(me.headers['x-session-token']).toBeUndefined();
        expect(me.headers['set-cookie']).toBeUndefined();
      }
      const picked = await http().get('/user').set('x-session-token', token).expect(200);
      expect(picked.body).toEqual({ user: { id: 'u-transports' } });
    });

    it('reads only the first source present: a bad token there is not rescued by a good one', async () => {
      const { token } = await create('u-first');
      await http()
        .get('/me')
        .set('x-session-token', 'garbage')
        .set('Authorization', `Bearer ${token}`)
        .expect(401, UNAUTHORIZED);
      await http()
        .get('/me')
        .set('Authorization', 'Bearer garbage')
        .set('Cookie', `sid=${token}`)
        .expect(401, UNAUTHORIZED);
      // Authorization that is not Bearer is not a session source: the cookie is read.
      await http()
        .get('/me')
        .set('Authorization', 'Basic dXNlcjpwdw==')
        .set('Cookie', `sid=${token}`)
        .expect(200);
    });

    it('answers every bad token with the same generic 401, for its own reason', async () => {
      const { session, token } = await create('u-401');
      const [id, exp, signature] = token.split('.') as [string, string, string];
      const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
      // Each cause, and the code and reason the guard logs (at debug level) for it.
      const causes: Record<string, [string | undefined, string | undefined]> = {
        missing: [undefined, undefined],
        empty: ['', 'SESSION_INVALID (empty or oversized token)'],
        garbage: ['not-a-token', 'SESSION_INVALID (malformed simple token)'],
        truncated: [token.slice(0, -5), 'SESSION_INVALID (malformed simple token)'],
        'wrong signature': [
          `${id}.${exp}.${flipped}`,
          'SESSION_INVALID (bad simple token signature)',
        ],
        'signature of another payload': [
          `${id}.${Number(exp) + 1000_000}.${signature}`,
          'SESSION_INVALID (bad simple token signature)',
        ],
        'signed by a retired secret': [
          simpleToken(session.id, RETIRED_SECRET),
          'SESSION_INVALID (bad simple token signature)',
        ],
        'signed for an unknown id': [
          simpleToken('A'.repeat(43), SECRET),
          'SESSION_REVOKED (no session under this id',
        ],
        'expired token': [
          simpleToken(session.id, SECRET, Date.now() - 1000),
          'SESSION_EXPIRED (simple token past its exp)',
        ],
        oversized: ['x'.repeat(10_000), 'SESSION_INVALID (empty or oversized token)'],
      };
      const debug = jest.spyOn(Logger.prototype, 'debug');
      try {
        for (const [cause, [bad, reason]] of Object.entries(causes)) {
          debug.mockClear();
          const req = http().get('/me');
          if (bad !== undefined) req.set('x-session-token', bad);
          const res = await req;
          const logged = debug.mock.calls
            .map(([message]) => String(message))
            .filter((message) => message.startsWith('Session rejected'));
          expect({ cause, status: res.status, body: res.body, logged }).toEqual({
            cause,
            status: 401,
            body: UNAUTHORIZED,
            logged: reason === undefined ? [] : [expect.stringContaining(`: ${reason}`) as string],
          });
        }
      } finally {
        debug.mockRestore();
      }
    });

    it('accepts tokens signed by every secret of the list (key rotation)', async () => {
      const { session } = await create('u-rotation');
      const old = simpleToken(session.id, PREVIOUS_SECRET, session.expiresAt);
      const me = await http().get('/me').set('x-session-token', old).expect(200);
      expect(me.body.id).toBe(session.id);
    });

    it('serves optional routes with or without a session', async () => {
      const { session, token } = await create();
      await http().get('/hello').expect(200, { session: null });
      await http().get('/hello').set('x-session-token', 'garbage').expect(200, { session: null });
      await http()
        .get('/hello')
        .set('Authorization', `Bearer ${token}`)
        .expect(200, { session: session.id });
    });

    it('saves the changes of a request once, when it ends, and only when something changed', async () => {
      const { session, token } = await create('u-save');
      backend.reset();
      await http().post('/data').set('x-session-token', token).send({ a: 1, b: 'two' }).expect(200);
      expect(backend.count('set') + backend.count('replace')).toBe(1);
      // The change is visible to the very next request.
      const me = await http().get('/me').set('x-session-token', token).expect(200);
      expect(me.body.data).toEqual({ a: 1, b: 'two', touched: 1, last: 'set' });

      backend.reset();
      await http().get('/me').set('x-session-token', token).expect(200);
      await http().get('/hello').set('x-session-token', token).expect(200);
      expect(backend.count('set') + backend.count('replace')).toBe(0);

      // A handler that throws after changing the session still has its change saved.
      backend.reset();
      await http().post('/data-then-fail').set('x-session-token', token).expect(500);
      expect(backend.count('set') + backend.count('replace')).toBe(1);
      const stored = await managerOf(app).get(token);
      expect(stored.session.id).toBe(session.id);
      expect(stored.session.data.beforeFailure).toBe(true);
    });

    it('saves changes made in place inside nested objects and arrays', async () => {
      const { token } = await create('u-nested');
      await http()
        .post('/data')
        .set('x-session-token', token)
        .send({ cart: ['tea'], profile: { name: 'Ada', tags: ['a'] } })
        .expect(200);
      backend.reset();
      await http()
        .post('/data-nested')
        .set('x-session-token', token)
        .send({ item: 'milk', tag: 'b' })
        .expect(200);
      expect(backend.count('set') + backend.count('replace')).toBe(1);
      const me = await http().get('/me').set('x-session-token', token).expect(200);
      expect(me.body.data).toMatchObject({
        cart: ['tea', 'milk'],
        profile: { name: 'Ada', tags: ['a', 'b'] },
      });
    });

    it('keeps flash messages until they are consumed, once', async () => {
      const { token } = await create('u-flash');
      await http()
        .post('/flash')
        .set('x-session-token', token)
        .send({ message: 'Saved' })
        .expect(200);
      await http()
        .post('/flash')
        .set('x-session-token', token)
        .send({ message: 'Careful', category: 'warning' })
        .expect(200);
      const first = await http().get('/flash').set('x-session-token', token).expect(200);
      expect(first.body).toEqual([
        { message: 'Saved', category: 'info', at: expect.any(Number) },
        { message: 'Careful', category: 'warning', at: expect.any(Number) },
      ]);
      const second = await http().get('/flash').set('x-session-token', token).expect(200);
      expect(second.body).toEqual([]);
    });

    it('regenerates: new id and token, same data, the old token dead at once', async () => {
      const { session, token } = await create('u-regen');
      await http().post('/data').set('x-session-token', token).send({ keep: 'me' }).expect(200);
      const res = await http().post('/regenerate').set('x-session-token', token).expect(200);
      expect(res.body.id).not.toBe(session.id);
      // Delivered the way the old token came.
      expect(res.headers['x-session-token']).toBe(res.body.token);
      await http().get('/me').set('x-session-token', token).expect(401, UNAUTHORIZED);
      const me = await http().get('/me').set('x-session-token', res.body.token).expect(200);
      expect(me.body).toEqual({
        id: res.body.id,
        user: { id: 'u-regen' },
        data: { keep: 'me', touched: 1, last: 'set', regenerated: true },
      });
      const listed = await managerOf(app).listUserSessions('u-regen');
      expect(listed.map((s) => s.id)).toEqual([res.body.id]);
    });

    it('logs out: the session is revoked and the cookie cleared', async () => {
      const login = await http().post('/login').send({ userId: 'u-logout' }).expect(200);
      const token = sessionCookie(login)!;
      const res = await http()
        .post('/logout')
        .set('Cookie', `sid=${token}`)
        .expect(200, { destroyed: true });
      expect(cookiesOf(res)).toEqual([
        'sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax',
      ]);
      await http().get('/me').set('Cookie', `sid=${token}`).expect(401, UNAUTHORIZED);
      await http().get('/hello').set('Cookie', `sid=${token}`).expect(200, { session: null });
    });

    it("keeps the headers and cookies a handler set through its own reply next to the session's", async () => {
      const res = await http().post('/login-with-headers').expect(200);
      expect(res.headers['x-handler']).toBe('kept');
      const cookies = cookiesOf(res);
      expect(cookies).toHaveLength(2);
      expect(cookies[0]).toBe('theme=dark; Path=/');
      expect(sessionCookie(res)).toBe(res.body.token);
      await http().get('/me').set('Cookie', `theme=dark; sid=${res.body.token}`).expect(200);
    });

    it("delivers the token when the app's own guard or middleware starts the session", async () => {
      for (const path of ['/visit', '/from-middleware']) {
        const first = await http().get(path).expect(200);
        const token = sessionCookie(first);
        expect({ path, token }).toEqual({ path, token: expect.stringMatching(/\./) });
        expect(first.body).toEqual({ id: expect.any(String), visits: 1 });
        expect((await managerOf(app).get(token!)).session.id).toBe(first.body.id);
        // The request's session: saved when it ended, loaded by the next one, nothing resent.
        const second = await http().get(path).set('Cookie', `sid=${token}`).expect(200);
        expect(second.body).toEqual({ id: first.body.id, visits: 2 });
        expect(cookiesOf(second)).toEqual([]);
      }
      // Refused after the session was started: the response still carries its token.
      const refused = await http().get('/visit').set('x-refuse', 'yes').expect(403);
      expect(sessionCookie(refused)).toMatch(/\./);
    });

    it("logs a user out everywhere and leaves other users' sessions alone", async () => {
      const mine = await Promise.all([
        create('u-everywhere'),
        create('u-everywhere'),
        create('u-everywhere'),
      ]);
      const others = await Promise.all([create('u-other'), create('u-other'), create()]);
      const res = await http()
        .post('/logout-everywhere')
        .set('x-session-token', mine[0]!.token)
        .expect(200);
      expect(res.body).toEqual({ destroyed: 3 });
      for (const { token } of mine) {
        await http().get('/me').set('x-session-token', token).expect(401, UNAUTHORIZED);
      }
      for (const { token } of others)
        await http().get('/me').set('x-session-token', token).expect(200);
      expect(await managerOf(app).listUserSessions('u-everywhere')).toEqual([]);
      expect(await managerOf(app).listUserSessions('u-other')).toHaveLength(2);
    });

    it('runs the whole lifecycle through SessionManager', async () => {
      const sessions = managerOf(app);
      const { session, token } = await sessions.create({ id: 'u-manager', roles: ['admin'] });
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}\.\d+\.[A-Za-z0-9_-]{43}$/);
      expect(session.expiresAt - session.createdAt).toBe(3600_000);

      const loaded = await sessions.get(token, { ip: '127.0.0.1' });
      expect(loaded.token).toBeUndefined();
      loaded.session.data.theme = 'dark';
      loaded.session.flash('hello');
      await sessions.update(loaded.session);
      const again = await sessions.get(token);
      expect(again.session.data).toEqual({ theme: 'dark' });
      expect(again.session.user).toEqual({ id: 'u-manager', roles: ['admin'] });
      expect(again.session.consumeFlash()).toEqual([
        { message: 'hello', category: 'info', at: expect.any(Number) },
      ]);
      expect(JSON.parse(JSON.stringify(again.session))).toEqual({
        id: session.id,
        user: { id: 'u-manager', roles: ['admin'] },
        data: { theme: 'dark' },
        createdAt: session.createdAt,
        lastAccessedAt: expect.any(Number),
        expiresAt: session.expiresAt,
      });

      const second = await sessions.create({ id: 'u-manager' });
      expect((await sessions.listUserSessions('u-manager')).map((s) => s.id)).toEqual([
        session.id,
        second.session.id,
      ]);

      await sessions.invalidate(second.session);
      await expect(sessions.get(second.token)).rejects.toMatchObject({
        code: 'SESSION_REVOKED',
      });
      await expect(sessions.update(second.session)).rejects.toMatchObject({
        code: 'SESSION_REVOKED',
      });

      const regenerated = await sessions.regenerate(again.session);
      await expect(sessions.get(token)).rejects.toMatchObject({ code: 'SESSION_REVOKED' });
      expect((await sessions.get(regenerated.token)).session.data).toEqual({ theme: 'dark' });

      expect(await sessions.destroy(regenerated.session.id)).toBe(true);
      expect(await sessions.destroy(regenerated.session.id)).toBe(false);
      await expect(sessions.get(regenerated.token)).rejects.toMatchObject({
        code: 'SESSION_REVOKED',
      });
      expect(await sessions.listUserSessions('u-manager')).toEqual([]);
      // Nothing here is past its expiry: nothing to sweep.
      expect(await sessions.clearExpired()).toBe(0);
    });

    it("keeps sessions through the response cache's clear()", async () => {
      const { token } = await create('u-clear');
      await backend.clear();
      await http().get('/me').set('x-session-token', token).expect(200);
    });
  });

  describe('expiry, sliding renewal and the absolute timeout', () => {
    let app: INestApplication;
    const http = () => request(app.getHttpServer());
    // Session time moves only when the test says: ttl 60 s, absolute timeout 150 s.
    const clock = fakeClock();

    beforeAll(async () => {
      app = await makeSessionApp(
        {
          secret: SECRET,
          backend: backendCase.create({ keyPrefix: uniquePrefix('short') }),
          ttl: 60,
          slidingThreshold: 1,
          absoluteTimeout: 150,
          cookie: { name: 'sid' },
        },
        { platform, clock },
      );
    });
    afterAll(() => app.close());

    it('renews through the header and the cookie, expires idle sessions, and stops at absoluteTimeout', async () => {
      const sessions = managerOf(app);
      const started = clock.now();
      const idle = await sessions.create({ id: 'idle' });
      await Promise.all([sessions.create({ id: 'sweep' }), sessions.create({ id: 'sweep' })]);
      const viaHeader = await sessions.create({ id: 'header' });
      const viaBearer = await sessions.create({ id: 'bearer' });
      const viaCookie = await http().post('/login').send({ userId: 'cookie' }).expect(200);
      let headerToken = viaHeader.token;
      let bearerToken = viaBearer.token;
      let cookieToken = sessionCookie(viaCookie)!;
      const at = (ms: number) => clock.advance(started + ms - clock.now());

      const renew = async () => {
        const h = await http().get('/me').set('x-session-token', headerToken).expect(200);
        expect(h.headers['x-session-token']).toMatch(/\./);
        expect(h.headers['set-cookie']).toBeUndefined();
        expect(h.headers['x-session-token']).not.toBe(headerToken);
        headerToken = h.headers['x-session-token'] as string;

        const b = await http().get('/me').set('Authorization', `Bearer ${bearerToken}`).expect(200);
        expect(b.headers['x-session-token']).toMatch(/\./); // a bearer token comes back in the token header
        bearerToken = b.headers['x-session-token'] as string;

        const c = await http().get('/me').set('Cookie', `sid=${cookieToken}`).expect(200);
        expect(c.headers['x-session-token']).toBeUndefined();
        expect(cookiesOf(c)).toHaveLength(1);
        // The cookie lives as long as the renewed session: 60 s from now.
        expect(cookiesOf(c)[0]).toContain('Max-Age=60;');
        cookieToken = sessionCookie(c)!;
      };

      at(30_000);
      await renew();
      at(72_000);
      // Never renewed: expired after its ttl of 60 s.
      await http().get('/me').set('x-session-token', idle.token).expect(401, UNAUTHORIZED);
      await expect(sessions.get(idle.token)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
      // Renewed at 30 s: alive past its first minute, and renewed again.
      await renew();
      // The three never renewed are swept from the per-user indexes; the renewed ones stay.
      expect(await sessions.clearExpired()).toBe(3);
      expect(await sessions.clearExpired()).toBe(0);
      expect(await sessions.listUserSessions('sweep')).toEqual([]);
      expect(await sessions.listUserSessions('header')).toHaveLength(1);

      at(102_000);
      // Renewing now would reach 162 s: the absolute timeout (150 s from creation) caps it.
      const capped = await sessions.get(headerToken);
      expect(capped.session.expiresAt).toBe(capped.session.createdAt + 150_000);
      headerToken = capped.token ?? headerToken;
      // At the cap there is nothing left to renew: no token header.
      const last = await http().get('/me').set('x-session-token', headerToken).expect(200);
      expect(last.headers['x-session-token']).toBeUndefined();

      at(150_000);
      await http().get('/me').set('x-session-token', headerToken).expect(401, UNAUTHORIZED);
      await http()
        .get('/me')
        .set('Authorization', `Bearer ${bearerToken}`)
        .expect(401, UNAUTHORIZED);
      await http().get('/me').set('Cookie', `sid=${cookieToken}`).expect(401, UNAUTHORIZED);
      await expect(sessions.get(headerToken)).rejects.toMatchObject({
        code: 'SESSION_EXPIRED',
      });
    });
  });

  describe('IP and User-Agent binding', () => {
    let app: INestApplication;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      app = await makeSessionApp(
        {
          secret: SECRET,
          backend: backendCase.create({ keyPrefix: uniquePrefix('bind') }),
          ipBinding: true,
          userAgentBinding: true,
        },
        { platform },
      );
    });
    afterAll(() => app.close());

    it('binds to the User-Agent it was created with', async () => {
      const res = await http()
        .post('/login')
        .set('User-Agent', 'agent-A')
        .send({ userId: 'ua' })
        .expect(200);
      expect(res.headers['x-session-token']).toBe(res.body.token);
      await http()
        .get('/me')
        .set('User-Agent', 'agent-A')
        .set('x-session-token', res.body.token)
        .expect(200);
      await http()
        .get('/me')
        .set('User-Agent', 'agent-B')
        .set('x-session-token', res.body.token)
        .expect(401, UNAUTHORIZED);
      await http()
        .get('/hello')
        .set('User-Agent', 'agent-B')
        .set('x-session-token', res.body.token)
        .expect(200, {
          session: null,
        });
    });

    it("binds sessions started by the app's own guard or middleware, and sends their token header", async () => {
      for (const path of ['/visit', '/from-middleware']) {
        // In Fastify middleware the request is Node's: its address comes from Fastify too.
        const first = await http().get(path).set('User-Agent', 'agent-A').expect(200);
        const token = first.headers['x-session-token'] as string;
        expect({ path, token }).toEqual({ path, token: expect.stringMatching(/\./) });
        await http()
          .get('/me')
          .set('User-Agent', 'agent-A')
          .set('x-session-token', token)
          .expect(200, { id: first.body.id, user: null, data: { visits: 1 } });
        await http()
          .get('/me')
          .set('User-Agent', 'agent-B')
          .set('x-session-token', token)
          .expect(401, UNAUTHORIZED);
      }
    });

    it('binds a client that sends no User-Agent to the empty one, and refuses to bind to nothing', async () => {
      const res = await http().post('/login').unset('User-Agent').send({}).expect(200);
      await http()
        .get('/me')
        .unset('User-Agent')
        .set('x-session-token', res.body.token)
        .expect(200);
      await http()
        .get('/me')
        .set('User-Agent', 'agent-A')
        .set('x-session-token', res.body.token)
        .expect(401, UNAUTHORIZED);
      await expect(managerOf(app).create({ id: 'nowhere' })).rejects.toMatchObject({
        code: 'CACHEX_SESSION_BINDING',
      });
      await expect(managerOf(app).get(res.body.token)).rejects.toMatchObject({
        code: 'SESSION_BINDING_MISMATCH',
      });
    });

    it('binds to req.ip: another address is refused, and a spoofed X-Forwarded-For does not help', async () => {
      const { token } = await managerOf(app).create(
        { id: 'ip' },
        { ip: '203.0.113.9', userAgent: 'agent-A' },
      );
      const me = () => http().get('/me').set('User-Agent', 'agent-A').set('x-session-token', token);
      await me().expect(401, UNAUTHORIZED);
      // trust proxy is off: the header is not believed.
      await me().set('X-Forwarded-For', '203.0.113.9').expect(401, UNAUTHORIZED);
    });

    it('believes X-Forwarded-For only when the app trusts its proxy (trust proxy / trustProxy)', async () => {
      // Then req.ip (Fastify: request.ip) comes from the header: that is the app's decision.
      const trusting = await makeSessionApp(
        {
          secret: SECRET,
          backend: backendCase.create({ keyPrefix: uniquePrefix('trust') }),
          ipBinding: true,
        },
        { platform, trustProxy: true },
      );
      try {
        const login = await request(trusting.getHttpServer())
          .post('/login')
          .set('X-Forwarded-For', '203.0.113.9')
          .send({ userId: 'proxied' })
          .expect(200);
        const me = () =>
          request(trusting.getHttpServer()).get('/me').set('x-session-token', login.body.token);
        await me().set('X-Forwarded-For', '203.0.113.9').expect(200);
        await me().set('X-Forwarded-For', '198.51.100.7').expect(401, UNAUTHORIZED);
        await me().expect(401, UNAUTHORIZED); // the loopback address itself
      } finally {
        await trusting.close();
      }
    });
  });

  describe('JWT tokens', () => {
    let app: INestApplication;
    const http = () => request(app.getHttpServer());
    const jwt = new JwtService({});
    const ISSUER = 'cachex-test';
    const AUDIENCE = 'cachex-clients';

    beforeAll(async () => {
      app = await makeSessionApp(
        {
          secret: [SECRET, PREVIOUS_SECRET],
          backend: backendCase.create({ keyPrefix: uniquePrefix('jwt') }),
          tokenFormat: 'jwt',
          jwt: { issuer: ISSUER, audience: AUDIENCE, leeway: 1 },
        },
        { platform },
      );
    });
    afterAll(() => app.close());

    const sign = (payload: object, options: Record<string, unknown>) =>
      jwt.sign(payload, {
        secret: SECRET,
        algorithm: 'HS256',
        issuer: ISSUER,
        audience: AUDIENCE,
        ...options,
      });

    it('issues HS256 JWTs with sid, iat, exp, iss and aud, accepted by the guard', async () => {
      const res = await http().post('/login').send({ userId: 'jwt-user' }).expect(200);
      const token = res.headers['x-session-token'] as string;
      expect(token).toBe(res.body.token);
      const [header, payload] = token
        .split('.')
        .slice(0, 2)
        .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
      expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect(payload).toEqual({
        sid: res.body.id,
        iat: expect.any(Number),
        exp: expect.any(Number),
        iss: ISSUER,
        aud: AUDIENCE,
      });
      expect(payload.exp - payload.iat).toBeGreaterThanOrEqual(3599);
      const me = await http().get('/me').set('Authorization', `Bearer ${token}`).expect(200);
      expect(me.body.user).toEqual({ id: 'jwt-user', username: 'user-jwt-user' });
      // Signed by the second secret of the list: accepted (rotation).
      await http()
        .get('/me')
        .set(
          'x-session-token',
          sign({ sid: res.body.id, exp: payload.exp }, { secret: PREVIOUS_SECRET }),
        )
        .expect(200);
    });

    it('rejects wrong issuer, audience, algorithm, alg none, retired secrets and expired tokens', async () => {
      const { session } = await managerOf(app).create({ id: 'jwt-bad' });
      const exp = Math.ceil(session.expiresAt / 1000);
      const claims = { sid: session.id, exp };
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, iat: exp - 3600, iss: ISSUER, aud: AUDIENCE })}.`;
      const causes: Record<string, string> = {
        'wrong issuer': sign(claims, { issuer: 'someone-else' }),
        'no issuer': jwt.sign(claims, { secret: SECRET, audience: AUDIENCE }),
        'wrong audience': sign(claims, { audience: 'other-clients' }),
        'wrong algorithm (HS512)': sign(claims, { algorithm: 'HS512' }),
        'alg none': none,
        'alg none with a signature': `${none}c2lnbmF0dXJl`,
        'retired secret': sign(claims, { secret: RETIRED_SECRET }),
        expired: sign({ sid: session.id, exp: Math.floor(Date.now() / 1000) - 10 }, {}),
        'no sid': sign({ exp }, {}),
        garbage: 'a.b.c',
        truncated: sign(claims, {}).slice(0, -4),
      };
      // The well-formed one passes, so each failure is the claim under test.
      await http().get('/me').set('x-session-token', sign(claims, {})).expect(200);
      for (const [cause, token] of Object.entries(causes)) {
        const res = await http().get('/me').set('x-session-token', token);
        expect({ cause, status: res.status, body: res.body }).toEqual({
          cause,
          status: 401,
          body: UNAUTHORIZED,
        });
      }
    });
  });
});
