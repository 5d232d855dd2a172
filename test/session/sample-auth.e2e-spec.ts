/**
 * The sample app's auth feature over HTTP: login, me, flash, profile (private
 * cache per session), sessions, logout, logout-everywhere.
 */
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CacheXModule, MemoryBackend } from 'nestjs-cachex';
import request from 'supertest';

import { AuthModule } from '../../sample-app/src/auth/auth.module.js';
import { platforms, startApp } from '../support/cache-app.js';

// The sample app itself starts on Express; its AuthModule uses no platform API, so it is tested on both.
describe.each(platforms)('sample app: auth, on %s', (platform) => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const login = (username: string, password: string, agent = 'browser-1') =>
    http().post('/auth/login').set('User-Agent', agent).send({ username, password });
  const cookieOf = (res: request.Response) =>
    ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? [])
      .find((c) => c.startsWith('sid='))
      ?.split(';')[0];

  beforeAll(async () => {
    process.env.SESSION_SECRET = 'sample-app-test-secret-0123456789abcdef';
    const moduleRef = await Test.createTestingModule({
      imports: [CacheXModule.forRoot({ backend: new MemoryBackend() }), AuthModule],
    }).compile();
    app = await startApp(moduleRef, platform);
  });
  afterAll(async () => {
    await app.close();
    delete process.env.SESSION_SECRET;
  });

  it('signs in with a cookie, greets, flashes once, and signs out', async () => {
    await login('ada', 'wrong').expect(401);
    const res = await login('ada', 'lovelace-demo').expect(200);
    expect(res.body.user).toMatchObject({ id: 'u-ada', username: 'ada' });
    const cookie = cookieOf(res)!;
    expect(res.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Lax$/);
    const as = (req: request.Test) => req.set('Cookie', cookie).set('User-Agent', 'browser-1');

    await as(http().get('/auth/me')).expect(200);
    await as(http().get('/auth/hello')).expect(200, { message: 'Hello, ada' });
    await http().get('/auth/hello').expect(200, { message: 'Hello, stranger' });
    // Bound to the User-Agent.
    await http().get('/auth/me').set('Cookie', cookie).set('User-Agent', 'other').expect(401);

    await as(http().post('/auth/flash')).send({ message: 'Saved', category: 'info' }).expect(204);
    const flash = await as(http().get('/auth/flash')).expect(200);
    expect(flash.body.map((m: { message: string }) => m.message)).toEqual([
      'Welcome, ada',
      'Saved',
    ]);
    await as(http().get('/auth/flash')).expect(200, []);

    const profile = await as(http().get('/auth/profile').set('Host', 'sample.test')).expect(200);
    const again = await as(http().get('/auth/profile').set('Host', 'sample.test')).expect(200);
    expect(again.body).toEqual(profile.body);
    expect(again.headers['cache-status']).toMatch(/hit/);

    const out = await as(http().post('/auth/logout')).expect(204);
    expect(out.headers['set-cookie']?.[0]).toMatch(/^sid=; .*Max-Age=0/);
    await as(http().get('/auth/me')).expect(401);
  });

  it('regenerates an existing session at login and logs out everywhere', async () => {
    const first = cookieOf(await login('alan', 'turing-demo', 'laptop').expect(200))!;
    // Signing in again from the same browser replaces its session (no fixation).
    const second = await http()
      .post('/auth/login')
      .set('Cookie', first)
      .set('User-Agent', 'laptop')
      .send({ username: 'alan', password: 'turing-demo' })
      .expect(200);
    const laptop = cookieOf(second)!;
    expect(laptop).not.toBe(first);
    await http().get('/auth/me').set('Cookie', first).set('User-Agent', 'laptop').expect(401);

    const phone = cookieOf(await login('alan', 'turing-demo', 'phone').expect(200))!;
    const ada = cookieOf(await login('ada', 'lovelace-demo', 'ada-pc').expect(200))!;
    const list = await http()
      .get('/auth/sessions')
      .set('Cookie', phone)
      .set('User-Agent', 'phone')
      .expect(200);
    expect(list.body).toHaveLength(2);

    const everywhere = await http()
      .post('/auth/logout-everywhere')
      .set('Cookie', phone)
      .set('User-Agent', 'phone')
      .expect(200, { ended: 2 });
    expect(everywhere.headers['set-cookie']?.[0]).toMatch(/^sid=; /);
    await http().get('/auth/me').set('Cookie', laptop).set('User-Agent', 'laptop').expect(401);
    await http().get('/auth/me').set('Cookie', phone).set('User-Agent', 'phone').expect(401);
    await http().get('/auth/me').set('Cookie', ada).set('User-Agent', 'ada-pc').expect(200);
  });
});
