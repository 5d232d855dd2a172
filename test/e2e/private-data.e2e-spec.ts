/**
 * No response reaches someone it was not for (API.md "Private data",
 * "Headers from before the handler"): cookies are credentials, private
 * entries follow the verified identity, a handler's Vary keys the entry,
 * middleware headers are not replayed, and the handler's own Cache-Control
 * wins. Over HTTP, on Express and Fastify, on every backend.
 */
import {
  Controller,
  Get,
  Header,
  type INestApplication,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Cache, type CacheBackend, CacheXModule, type CacheXModuleOptions } from 'nestjs-cachex';
import {
  OptionalSession,
  Session,
  type SessionData,
  SessionGuard,
  SessionManager,
  SessionModule,
} from 'nestjs-cachex/session';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { describeEachBackend, TEST_TIMEOUT_MS } from '../support/backends.js';
import { platforms, type Platform, startApp } from '../support/cache-app.js';
import { countCalls } from '../support/counting-backend.js';
import { sleep } from '../support/time.js';

const runs: Record<string, number> = {};
const count = (name: string): number => (runs[name] = (runs[name] ?? 0) + 1);

interface Req {
  headers: Record<string, string | undefined>;
}
interface Reply {
  header(name: string, value: string): void;
}

@Controller()
class PrivateDataController {
  @Cache(60)
  @Get('whoami')
  whoami(@Req() req: Req) {
    return { cookie: req.headers['cookie'] ?? null, run: count('whoami') };
  }

  @Cache({ ttl: 60, public: true })
  @Get('catalogue')
  catalogue() {
    return { run: count('catalogue') };
  }

  @Cache({ ttl: 60, private: true })
  @Get('profile')
  profile(@Req() req: Req) {
    return {
      authorization: req.headers['authorization'] ?? null,
      cookie: req.headers['cookie'] ?? null,
      run: count('profile'),
    };
  }

  @Cache({ ttl: 60, private: true })
  @UseGuards(SessionGuard)
  @Get('me')
  me(@Session() session: SessionData) {
    return { user: session.user?.id ?? null, run: count('me') };
  }

  @Cache({ ttl: 60, private: true })
  @OptionalSession()
  @Get('maybe-me')
  maybeMe(@Session() session?: SessionData) {
    return { user: session?.user?.id ?? null, run: count('maybe-me') };
  }

  @Cache(60)
  @Get('tenant')
  async tenant(@Req() req: Req, @Res({ passthrough: true }) res: Reply) {
    res.header('Vary', 'X-Tenant');
    const run = count('tenant');
    await sleep(50);
    return { tenant: req.headers['x-tenant'] ?? null, run };
  }

  @Cache({ ttl: 60, vary: ['Accept-Language'] })
  @Get('tenant-and-language')
  tenantAndLanguage(@Req() req: Req, @Res({ passthrough: true }) res: Reply) {
    res.header('Vary', 'X-Tenant');
    return {
      tenant: req.headers['x-tenant'] ?? null,
      language: req.headers['accept-language'] ?? null,
      run: count('tenant-and-language'),
    };
  }

  @Cache(60)
  @Header('X-Declared', 'by-the-handler')
  @Get('cors')
  cors() {
    return { run: count('cors') };
  }

  @Cache(60)
  @Header('Cache-Control', 'private, no-store')
  @Get('own-no-store')
  ownNoStore() {
    return { run: count('own-no-store') };
  }

  @Cache(60)
  @Get('runtime-no-store')
  runtimeNoStore(@Res({ passthrough: true }) res: Reply) {
    res.header('Cache-Control', 'no-store');
    return { run: count('runtime-no-store') };
  }
}

/** Echoes the request's Origin, as a CORS middleware does, and stamps a request id. */
function corsMiddleware(
  req: { headers: Record<string, string | undefined> },
  res: { setHeader(name: string, value: string): void },
  next: () => void,
): void {
  if (req.headers['origin']) res.setHeader('Access-Control-Allow-Origin', req.headers['origin']);
  res.setHeader('X-Request-Id', String(Math.random()));
  next();
}

async function makeApp(
  backend: CacheBackend,
  platform: Platform,
  options: Omit<CacheXModuleOptions, 'backend'> = {},
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CacheXModule.forRoot({ backend, backendTimeoutMs: TEST_TIMEOUT_MS, ...options }),
      SessionModule.forRoot({ secret: 's'.repeat(32) }),
    ],
    controllers: [PrivateDataController],
  }).compile();
  return startApp(moduleRef, platform, { prepare: (app) => app.use(corsMiddleware) });
}

describeEachBackend('Private data', (backendCase, platform) => {
  let backend: CacheBackend;
  let app: INestApplication;
  const get = (path: string) => request(app.getHttpServer()).get(path);
  const newBackend = () =>
    backendCase.create({ keyPrefix: `private-${process.pid}-${Date.now()}:` });

  beforeAll(async () => {
    backend = newBackend();
    app = await makeApp(backend, platform);
  });
  afterAll(() => app.close());
  beforeEach(async () => {
    await backend.clear();
    for (const name of Object.keys(runs)) delete runs[name];
  });

  describe('cookies are credentials', () => {
    it("never serves one cookie's response to another cookie or to anonymous users", async () => {
      const alice = await get('/whoami').set('Cookie', 'auth=alice').expect(200);
      expect(alice.body).toEqual({ cookie: 'auth=alice', run: 1 });
      expect(alice.headers['cache-status']).toBe('cachex; fwd=bypass; detail=cookie');
      const bob = await get('/whoami').set('Cookie', 'auth=bob').expect(200);
      expect(bob.body).toEqual({ cookie: 'auth=bob', run: 2 });
      const anonymous = await get('/whoami').expect(200);
      expect(anonymous.body).toEqual({ cookie: null, run: 3 });
      expect(anonymous.headers['cache-status']).toBe('cachex; fwd=miss; stored');
      const aliceAgain = await get('/whoami').set('Cookie', 'auth=alice').expect(200);
      expect(aliceAgain.body).toEqual({ cookie: 'auth=alice', run: 4 });
    });

    it('treats analytics cookies as no credential', async () => {
      await get('/whoami').expect(200);
      const tracked = await get('/whoami')
        .set('Cookie', '_ga=GA1.2.3; _ga_ABC=1; _gid=x; _gcl_au=y; __utmz=z; _hjSession=1')
        .expect(200);
      expect(tracked.headers['cache-status']).toMatch(/^cachex; hit/);
      const mixed = await get('/whoami').set('Cookie', '_ga=GA1.2.3; auth=alice').expect(200);
      expect(mixed.headers['cache-status']).toBe('cachex; fwd=bypass; detail=cookie');
      expect(mixed.body.cookie).toBe('_ga=GA1.2.3; auth=alice');
    });

    it('stores and serves a public route whatever the cookies', async () => {
      await get('/catalogue').set('Cookie', 'auth=alice').expect(200);
      const other = await get('/catalogue').set('Cookie', 'auth=bob').expect(200);
      expect(other.headers['cache-status']).toMatch(/^cachex; hit/);
      expect(runs['catalogue']).toBe(1);
    });

    it('treats a malformed Cookie header without a name as no cookie', async () => {
      await get('/whoami').expect(200);
      const odd = await get('/whoami').set('Cookie', ';;  ; =').expect(200);
      expect(odd.headers['cache-status']).toMatch(/^cachex; hit/);
    });
  });

  describe('private entries follow the verified identity', () => {
    it('keys by every credential present, so a shared gateway header merges no one', async () => {
      const gateway = 'Basic Z2F0ZXdheTpzZWNyZXQ=';
      const alice = () => get('/profile').set('Authorization', gateway).set('Cookie', 'u=alice');
      const bob = () => get('/profile').set('Authorization', gateway).set('Cookie', 'u=bob');
      expect((await alice().expect(200)).body.cookie).toBe('u=alice');
      const bobRes = await bob().expect(200);
      expect(bobRes.body).toMatchObject({ cookie: 'u=bob', run: 2 });
      const aliceHit = await alice().expect(200);
      expect(aliceHit.headers['cache-status']).toMatch(/^cachex; hit/);
      expect(aliceHit.body.cookie).toBe('u=alice');
    });

    it('stores no plain digest of a credential in a key', async () => {
      const authorization = 'Basic YWxpY2U6cGFzc3dvcmQ=';
      // The keys written, as every backend receives them (Memcached could not list them).
      const sets = countCalls(backend, 'set');
      try {
        await get('/profile').set('Authorization', authorization).expect(200);
        const hit = await get('/profile').set('Authorization', authorization).expect(200);
        expect(hit.headers['cache-status']).toMatch(/^cachex; hit/);
      } finally {
        sets.restore();
      }
      const keys = sets.args.map(([key]) => key);
      const plain = createHash('sha256').update(authorization).digest('base64url');
      expect(keys).toHaveLength(1);
      expect(keys[0]).toContain('/profile');
      expect(keys[0]).toContain('user:');
      expect(keys[0]).not.toContain(plain);
      expect(keys[0]).not.toContain('YWxpY2U6');
    });

    it('keys by the session SessionGuard verified, not by the shared Authorization', async () => {
      const sessions = app.get(SessionManager);
      const alice = await sessions.create({ id: 'alice' });
      const bob = await sessions.create({ id: 'bob' });
      const gateway = 'Basic Z2F0ZXdheTpzZWNyZXQ=';
      const me = (token: string) =>
        get('/me').set('Authorization', gateway).set('x-session-token', token);
      expect((await me(alice.token).expect(200)).body).toEqual({ user: 'alice', run: 1 });
      expect((await me(bob.token).expect(200)).body).toEqual({ user: 'bob', run: 2 });
      const aliceHit = await me(alice.token).expect(200);
      expect(aliceHit.body).toEqual({ user: 'alice', run: 1 });
      expect(aliceHit.headers['cache-status']).toMatch(/^cachex; hit/);
    });

    it('gives a revoked token nothing its session once filled', async () => {
      const sessions = app.get(SessionManager);
      const alice = await sessions.create({ id: 'alice' });
      const first = await get('/maybe-me').set('x-session-token', alice.token).expect(200);
      expect(first.body).toEqual({ user: 'alice', run: 1 });
      await get('/maybe-me').set('x-session-token', alice.token).expect(200);
      expect(runs['maybe-me']).toBe(1);
      await sessions.destroy(alice.session.id);
      const revoked = await get('/maybe-me').set('x-session-token', alice.token).expect(200);
      expect(revoked.body).toEqual({ user: null, run: 2 });
      expect(revoked.headers['cache-status']).toBe('cachex; fwd=bypass; detail=unverified-session');
      const forged = await get('/maybe-me').set('x-session-token', 'forged.token').expect(200);
      expect(forged.body.user).toBeNull();
    });

    it('answers a private route without a credential from the handler, unstored', async () => {
      const res = await get('/profile').expect(200);
      expect(res.headers['cache-status']).toBe('cachex; fwd=bypass; detail=no-credential');
      await get('/profile').expect(200);
      expect(runs['profile']).toBe(2);
    });
  });

  describe('the handler’s Vary keys the entry', () => {
    it('stores one entry per tenant and serves each its own', async () => {
      const a = await get('/tenant').set('X-Tenant', 'a').expect(200);
      expect(a.body).toEqual({ tenant: 'a', run: 1 });
      expect(a.headers['vary']).toBe('x-tenant');
      const b = await get('/tenant').set('X-Tenant', 'b').expect(200);
      expect(b.body).toEqual({ tenant: 'b', run: 2 });
      const aHit = await get('/tenant').set('X-Tenant', 'a').expect(200);
      expect(aHit.body).toEqual({ tenant: 'a', run: 1 });
      expect(aHit.headers['cache-status']).toMatch(/^cachex; hit/);
      const bHit = await get('/tenant').set('X-Tenant', 'b').expect(200);
      expect(bHit.body).toEqual({ tenant: 'b', run: 2 });
      const none = await get('/tenant').expect(200);
      expect(none.body.tenant).toBeNull();
    });

    it('never hands one tenant’s fill to a concurrent request of another', async () => {
      const answers = await Promise.all(
        ['a', 'b', 'a', 'c', 'b'].map((tenant) =>
          get('/tenant').set('X-Tenant', tenant).expect(200),
        ),
      );
      for (const [i, tenant] of ['a', 'b', 'a', 'c', 'b'].entries()) {
        expect(answers[i]!.body.tenant).toBe(tenant);
      }
    });

    it('keys by the route’s vary and the handler’s together', async () => {
      const fr = await get('/tenant-and-language')
        .set('X-Tenant', 'a')
        .set('Accept-Language', 'fr')
        .expect(200);
      expect(fr.headers['vary']).toBe('accept-language, x-tenant');
      const en = await get('/tenant-and-language')
        .set('X-Tenant', 'a')
        .set('Accept-Language', 'en')
        .expect(200);
      expect(en.body).toMatchObject({ language: 'en', run: 2 });
      const b = await get('/tenant-and-language')
        .set('X-Tenant', 'b')
        .set('Accept-Language', 'fr')
        .expect(200);
      expect(b.body).toMatchObject({ tenant: 'b', language: 'fr', run: 3 });
      const frHit = await get('/tenant-and-language')
        .set('X-Tenant', 'a')
        .set('Accept-Language', 'fr')
        .expect(200);
      expect(frHit.body).toMatchObject({ tenant: 'a', language: 'fr', run: 1 });
    });

    it('reads the backend once for a hit of a route without Vary', async () => {
      await get('/catalogue').expect(200);
      const gets = countCalls(backend, 'get');
      try {
        await get('/catalogue').expect(200);
        expect(gets.count).toBe(1);
      } finally {
        gets.restore();
      }
    });
  });

  describe('headers from before the handler', () => {
    it('does not replay a middleware’s CORS header to another origin', async () => {
      const a = await get('/cors').set('Origin', 'http://a.example').expect(200);
      expect(a.headers['access-control-allow-origin']).toBe('http://a.example');
      const b = await get('/cors').set('Origin', 'http://b.example').expect(200);
      expect(b.headers['cache-status']).toMatch(/^cachex; hit/);
      expect(b.headers['access-control-allow-origin']).toBe('http://b.example');
      expect(b.headers['x-request-id']).not.toBe(a.headers['x-request-id']);
      expect(b.headers['x-declared']).toBe('by-the-handler');
      const none = await get('/cors').expect(200);
      expect(none.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('respects a Cache-Control with no-store from @Header()', async () => {
      const first = await get('/own-no-store').expect(200);
      expect(first.headers['cache-control']).toBe('private, no-store');
      const second = await get('/own-no-store').expect(200);
      expect(second.headers['cache-control']).toBe('private, no-store');
      expect(runs['own-no-store']).toBe(2);
    });

    it('respects a Cache-Control with no-store the handler set itself', async () => {
      const first = await get('/runtime-no-store').expect(200);
      expect(first.headers['cache-control']).toBe('no-store');
      await get('/runtime-no-store').expect(200);
      expect(runs['runtime-no-store']).toBe(2);
    });
  });
});

describe.each(platforms)('Identity keys across instances, %s', (platform) => {
  const start = async (backend: CacheBackend, identitySecret?: string) =>
    makeApp(backend, platform, identitySecret ? { identitySecret } : {});
  // One Host for both instances, as behind one load balancer: the origin is part of the key.
  const profile = (app: INestApplication) =>
    request(app.getHttpServer())
      .get('/profile')
      .set('Host', 'shop.example')
      .set('Authorization', 'Basic c2hhcmVkOnRva2Vu');

  it('shares private entries between instances only when they share identitySecret', async () => {
    const { MemoryBackend } = await import('nestjs-cachex');
    const backend = new MemoryBackend();
    const apps = [await start(backend), await start(backend)];
    try {
      await profile(apps[0]!).expect(200);
      const other = await profile(apps[1]!).expect(200);
      expect(other.headers['cache-status']).toBe('cachex; fwd=miss; stored');
    } finally {
      for (const app of apps) await app.close();
    }
    const secret = 'one secret for every instance, 32+';
    const shared = new MemoryBackend();
    const sharing = [await start(shared, secret), await start(shared, secret)];
    try {
      await profile(sharing[0]!).expect(200);
      const other = await profile(sharing[1]!).expect(200);
      expect(other.headers['cache-status']).toMatch(/^cachex; hit/);
    } finally {
      for (const app of sharing) await app.close();
    }
  });
});
