/**
 * `cachex-session-redis`, `cachex-session-memory`, `cachex-session-jwt-redis`:
 * nestjs-cachex's `SessionModule` as its README sets it up (beside
 * `CacheXModule.forRoot`, whose backend it uses), `cookie: { name: 'sid' }`,
 * `SessionGuard` on `GET /me`. The token header (`x-session-token`) is read
 * before the cookie, so the same app serves both transports.
 * BENCH_STORE=memory|redis, BENCH_TOKEN=simple|jwt, BENCH_REDIS_PORT.
 * `GET /login` creates a session for the user and returns its token too.
 * `GET /open` is an unguarded, uncached route answering what `nest-nosession`'s
 * `/me` answers: what the two modules' global interceptors cost a route they
 * have nothing to do on. BENCH_PLATFORM=fastify runs it on Fastify.
 * The ttl is a day: no sliding renewal during a run.
 */
import { Controller, Get, Module, Req, UseGuards } from '@nestjs/common';
import { type CacheBackend, CacheXModule, MemoryBackend } from 'nestjs-cachex';
import {
  Session,
  type SessionContext,
  SessionData,
  SessionGuard,
  SessionManager,
  SessionModule,
} from 'nestjs-cachex/session';
import { requiredEnv, serveNest } from './nest-bootstrap.js';
import { meBody, USER } from './session-routes.js';

const store = process.env['BENCH_STORE'] ?? 'memory';
const tokenFormat = process.env['BENCH_TOKEN'] === 'jwt' ? 'jwt' : 'simple';

@Controller()
class SessionController {
  constructor(private readonly sessions: SessionManager) {}

  @Get('login')
  async login(@Req() req: SessionContext) {
    const { token } = await this.sessions.create(USER, req);
    return { token };
  }

  @Get('open')
  open() {
    return meBody(USER);
  }

  @UseGuards(SessionGuard)
  @Get('me')
  me(@Session() session: SessionData) {
    return meBody(session.user);
  }
}

async function backend(): Promise<CacheBackend> {
  if (store === 'memory') return new MemoryBackend();
  if (store === 'redis') {
    const { RedisBackend } = await import('nestjs-cachex/redis');
    return new RedisBackend({ host: '127.0.0.1', port: Number(requiredEnv('BENCH_REDIS_PORT')) });
  }
  throw new Error(`BENCH_STORE=${store}: expected memory or redis`);
}

@Module({
  imports: [
    CacheXModule.forRoot({ backend: await backend() }),
    SessionModule.forRoot({
      secret: 'a-benchmark-secret-of-at-least-32-characters',
      ttl: 86_400,
      tokenFormat,
      cookie: { name: 'sid' },
    }),
  ],
  controllers: [SessionController],
})
class SessionBenchModule {}

await serveNest(SessionBenchModule);
