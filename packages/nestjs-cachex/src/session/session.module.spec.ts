import { Controller, Get, Global, Injectable, Module, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';

import { CacheBackend } from '../backends/cache-backend.js';
import { MemoryBackend } from '../backends/memory.backend.js';
import { CACHE_CREDENTIAL_SOURCE, type CredentialSource } from '../cache/cache-credentials.js';
import { CacheXConfigError } from '../common/errors.js';
import { type HttpRequestLike } from '../http/request.js';
import { type SessionModuleOptions } from './session-options.js';
import { type FoundToken } from './rules/session-transport.js';
import { Session } from './session.decorator.js';
import { SessionGuard } from './session.guard.js';
import { SessionManager } from './session.manager.js';
import { SessionModule } from './session.module.js';

const SECRET = 'k'.repeat(40);

/** Counts `close()` calls on a backend (no jest.spyOn: this runs as ESM). */
function countCloses(backend: CacheBackend): { count: number } {
  const counter = { count: 0 };
  const close = backend.close.bind(backend);
  backend.close = async () => {
    counter.count++;
    await close();
  };
  return counter;
}

@Global()
@Module({})
class SharedBackendModule {
  static with(backend: CacheBackend) {
    return {
      module: SharedBackendModule,
      providers: [{ provide: CacheBackend, useValue: backend }],
      exports: [CacheBackend],
    };
  }
}

/** A guard subclass that takes the token from `?session=` instead. */
@Injectable()
class QueryTokenGuard extends SessionGuard {
  protected override getToken(req: HttpRequestLike): FoundToken | undefined {
    const token = new URL(req.url ?? '/', 'http://x').searchParams.get('session');
    return token === null ? undefined : { token, source: 'header' };
  }
}

@Controller()
class ProbeController {
  @UseGuards(QueryTokenGuard)
  @Get('query')
  query(@Session('id') id: string) {
    return { id };
  }
}

describe('SessionModule', () => {
  const compile = (options: SessionModuleOptions, imports: unknown[] = []) =>
    Test.createTestingModule({
      imports: [...(imports as never[]), SessionModule.forRoot(options)],
      controllers: [ProbeController],
    }).compile();

  it('fails at start-up with a CacheXConfigError naming the bad option', async () => {
    const backend = new MemoryBackend();
    await expect(compile({ secret: 'too short', backend })).rejects.toThrow(CacheXConfigError);
    await expect(compile({ secret: 'too short', backend })).rejects.toThrow(/`secret`/);
    await expect(compile({ secret: SECRET, ttl: 0, backend })).rejects.toThrow(/`ttl`/);
    await backend.close();
  });

  it('says how to give it a backend when there is none', async () => {
    await expect(compile({ secret: SECRET })).rejects.toThrow(
      /no backend to store sessions in: import CacheXModule\.forRoot\(\).*or pass the `backend` option/,
    );
  });

  it('uses the injected CacheBackend by default and leaves closing it to its owner', async () => {
    const shared = new MemoryBackend();
    const closes = countCloses(shared);
    const moduleRef = await compile({ secret: SECRET }, [SharedBackendModule.with(shared)]);
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    const { token } = await app.get(SessionManager).create({ id: 'u' });
    expect(await shared.namespace('session:').setMembers('missing')).toEqual([]);
    await app.close();
    expect(closes.count).toBe(0);
    // The session really lives in the shared backend's namespace.
    const again = await Test.createTestingModule({
      imports: [SessionModule.forRoot({ secret: SECRET, backend: shared })],
    }).compile();
    await expect(again.get(SessionManager).get(token)).resolves.toMatchObject({
      session: { user: { id: 'u' } },
    });
    await shared.close();
  });

  it('closes a backend given through its options on shutdown', async () => {
    const own = new MemoryBackend();
    const closes = countCloses(own);
    const app = await (
      await compile({ secret: SECRET, backend: own })
    )
      .createNestApplication({ logger: false })
      .init();
    await app.close();
    expect(closes.count).toBe(1);
  });

  it('is configurable asynchronously', async () => {
    const backend = new MemoryBackend();
    const moduleRef = await Test.createTestingModule({
      imports: [
        SessionModule.forRootAsync({
          imports: [SharedBackendModule.with(backend)],
          inject: [CacheBackend],
          useFactory: async (injected: CacheBackend) => ({
            secret: SECRET,
            ttl: 10,
            backend: injected,
          }),
        }),
      ],
    }).compile();
    const { session } = await moduleRef.get(SessionManager).create();
    expect(session.expiresAt - session.createdAt).toBe(10_000);
    await backend.close();
  });

  it('provides the credential reader the cache interceptor uses', async () => {
    const backend = new MemoryBackend();
    const moduleRef = await compile({ secret: SECRET, backend, cookie: { name: 'sid' } });
    const source = moduleRef.get<CredentialSource>(CACHE_CREDENTIAL_SOURCE);
    expect(source.read({ headers: { 'x-session-token': 't1' } })).toBe('t1');
    expect(source.read({ headers: { authorization: 'Bearer t2' } })).toBe('t2');
    expect(source.read({ headers: { cookie: 'sid=t3' } })).toBe('t3');
    expect(source.read({ headers: { cookie: 'other=t4' } })).toBeUndefined();
    expect(source.responseHeaders).toEqual(['x-session-token']);
    await backend.close();
  });

  it('lets a guard subclass choose where the token comes from', async () => {
    const app = await (
      await compile({ secret: SECRET, backend: new MemoryBackend() })
    )
      .createNestApplication({ logger: false })
      .init();
    const { session, token } = await app.get(SessionManager).create();
    await request(app.getHttpServer())
      .get(`/query?session=${encodeURIComponent(token)}`)
      .expect(200, { id: session.id });
    await request(app.getHttpServer()).get('/query').set('x-session-token', token).expect(401);
    await app.close();
  });
});
