/**
 * A Nest app with one route per session behaviour, and backends that count
 * or fail, for the session suites.
 */
import {
  Body,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  HttpCode,
  type INestApplication,
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  CacheBackend,
  type CacheEntry,
  Clock,
  type ClearPathOptions,
  type InvalidateTagsOptions,
  type KeyValueStore,
} from 'nestjs-cachex';
import {
  OptionalSession,
  Session,
  SessionData,
  SessionGuard,
  SessionManager,
  type SessionModuleOptions,
  SessionModule,
} from 'nestjs-cachex/session';

import { type Platform, startApp } from '../support/cache-app.js';

export { type Platform, platforms } from '../support/cache-app.js';

/** 32+ characters each. */
export const SECRET = 'current-secret-0123456789-abcdefghijklmnop';
export const PREVIOUS_SECRET = 'previous-secret-0123456789-abcdefghijklmno';
export const RETIRED_SECRET = 'retired-secret-0123456789-abcdefghijklmnopq';

interface Request {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
}
/** The reply API both platforms share: Express's `res.header` is `res.set`, Fastify's `reply.header`. */
interface Reply {
  header(name: string, value: string): unknown;
}

/**
 * An app's own guard, not `SessionGuard`: it starts an anonymous session for
 * a visitor without a token and loads the one a returning visitor carries.
 * It runs before any interceptor, so the token must reach the response from
 * here; `x-refuse: yes` makes it refuse the request after that (403).
 */
@Injectable()
export class VisitorGuard implements CanActivate {
  constructor(private readonly sessions: SessionManager) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const found = this.sessions.readToken(req);
    if (found === undefined) await this.sessions.create(undefined, req);
    else await this.sessions.get(found.token, req);
    return req.headers['x-refuse'] !== 'yes';
  }
}

/**
 * The same done in middleware, on `/from-middleware`: there Fastify hands
 * over Node's request, not its own, and no response reference at all.
 */
@Module({})
class VisitorMiddlewareModule implements NestModule {
  constructor(private readonly sessions: SessionManager) {}

  configure(consumer: MiddlewareConsumer): void {
    const sessions = this.sessions;
    consumer
      .apply(async (req: Request, _res: unknown, next: (error?: unknown) => void) => {
        try {
          if (sessions.readToken(req) === undefined) await sessions.create(undefined, req);
          next();
        } catch (error) {
          next(error);
        }
      })
      .forRoutes('from-middleware');
  }
}

@Controller()
export class SessionTestController {
  constructor(private readonly sessions: SessionManager) {}

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: { userId?: string }, @Req() req: Request) {
    const user = body?.userId ? { id: body.userId, username: `user-${body.userId}` } : undefined;
    const { session, token } = await this.sessions.create(user, req);
    return { id: session.id, token };
  }

  /** Sets headers of its own through the reply, then signs in: both reach the client. */
  @Post('login-with-headers')
  @HttpCode(200)
  async loginWithHeaders(@Req() req: Request, @Res({ passthrough: true }) res: Reply) {
    res.header('X-Handler', 'kept');
    res.header('Set-Cookie', 'theme=dark; Path=/');
    const { session, token } = await this.sessions.create({ id: 'with-headers' }, req);
    return { id: session.id, token };
  }

  /** Counts visits in the session the `VisitorGuard` started or loaded. */
  @UseGuards(VisitorGuard)
  @Get('visit')
  visit(@Session() session: SessionData) {
    return SessionTestController.countVisit(session);
  }

  /** Counts visits in the session the middleware started, or the guard loaded. */
  @OptionalSession()
  @Get('from-middleware')
  fromMiddleware(@Session() session: SessionData) {
    return SessionTestController.countVisit(session);
  }

  private static countVisit(session: SessionData) {
    session.data.visits = ((session.data.visits as number | undefined) ?? 0) + 1;
    return { id: session.id, visits: session.data.visits };
  }

  @UseGuards(SessionGuard)
  @Get('me')
  me(@Session() session: SessionData) {
    return { id: session.id, user: session.user ?? null, data: session.data };
  }

  @UseGuards(SessionGuard)
  @Get('user')
  user(@Session('user') user: unknown) {
    return { user: user ?? null };
  }

  @OptionalSession()
  @Get('hello')
  hello(@Session() session?: SessionData) {
    return { session: session?.id ?? null };
  }

  @UseGuards(SessionGuard)
  @Post('data')
  @HttpCode(200)
  setData(@Session() session: SessionData, @Body() body: Record<string, unknown>) {
    // Several changes in one request: still one save at the end.
    for (const [key, value] of Object.entries(body)) session.data[key] = value;
    session.data.touched = ((session.data.touched as number | undefined) ?? 0) + 1;
    session.data.last = 'set';
    return { ok: true };
  }

  @UseGuards(SessionGuard)
  @Post('data-nested')
  @HttpCode(200)
  mutateNested(@Session() session: SessionData, @Body() body: { item: string; tag: string }) {
    // In place, deep inside: no assignment to session.data itself.
    (session.data.cart as string[]).push(body.item);
    (session.data.profile as { tags: string[] }).tags.push(body.tag);
    return { ok: true };
  }

  @UseGuards(SessionGuard)
  @Post('data-then-fail')
  dataThenFail(@Session() session: SessionData) {
    session.data.beforeFailure = true;
    throw new Error('handler failed after changing the session');
  }

  @UseGuards(SessionGuard)
  @Post('flash')
  @HttpCode(200)
  flash(@Session() session: SessionData, @Body() body: { message: string; category?: string }) {
    if (body.category === undefined) session.flash(body.message);
    else session.flash(body.message, body.category);
    return { ok: true };
  }

  @UseGuards(SessionGuard)
  @Get('flash')
  consume(@Session() session: SessionData) {
    return session.consumeFlash();
  }

  @UseGuards(SessionGuard)
  @Post('regenerate')
  @HttpCode(200)
  async regenerate(@Session() session: SessionData, @Req() req: Request) {
    const fresh = await this.sessions.regenerate(session, req);
    fresh.session.data.regenerated = true;
    return { id: fresh.session.id, token: fresh.token };
  }

  @UseGuards(SessionGuard)
  @Post('logout')
  @HttpCode(200)
  async logout(@Session() session: SessionData, @Req() req: Request) {
    return { destroyed: await this.sessions.destroy(session.id, req) };
  }

  @UseGuards(SessionGuard)
  @Post('logout-everywhere')
  @HttpCode(200)
  async logoutEverywhere(@Session() session: SessionData) {
    session.data.afterLogoutEverywhere = true; // must not bring the session back
    return { destroyed: await this.sessions.destroyUserSessions(session.user!.id) };
  }
}

/** How a session test app is built besides its session options. */
export interface SessionAppSetup {
  /** The HTTP platform (default Express). */
  platform?: Platform;
  /** Whether `req.ip` believes `X-Forwarded-For`: Express `trust proxy`, Fastify `trustProxy`. */
  trustProxy?: boolean;
  imports?: unknown[];
  controllers?: unknown[];
  /** The clock session times are read from (see test/support/fake-clock.ts); the system clock otherwise. */
  clock?: Clock;
}

/** Builds and starts an app with `SessionModule.forRoot(options)` on the platform asked for. */
export async function makeSessionApp(
  options: SessionModuleOptions,
  setup: SessionAppSetup = {},
): Promise<INestApplication> {
  const builder = Test.createTestingModule({
    imports: [
      ...((setup.imports ?? []) as never[]),
      SessionModule.forRoot(options),
      VisitorMiddlewareModule,
    ],
    controllers: [SessionTestController, ...((setup.controllers ?? []) as never[])],
  });
  if (setup.clock) builder.overrideProvider(Clock).useValue(setup.clock);
  const moduleRef = await builder.compile();
  const platform = setup.platform ?? 'express';
  if (setup.trustProxy && platform === 'fastify') return startTrustingFastify(moduleRef);
  return startApp(moduleRef, platform, {
    prepare: (app) => {
      if (setup.trustProxy) (app as NestExpressApplication).set('trust proxy', true);
    },
  });
}

/** Fastify reads `trustProxy` once, when the adapter is made, so `startApp`'s adapter cannot have it. */
async function startTrustingFastify(moduleRef: TestingModule): Promise<INestApplication> {
  const app = moduleRef.createNestApplication(new FastifyAdapter({ trustProxy: true }), {
    logger: false,
  });
  await app.listen(0, '127.0.0.1');
  await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  return app;
}

/** The session manager of an app. */
export const managerOf = (app: INestApplication): SessionManager => app.get(SessionManager);

/** Counts the calls made on the namespace stores of a real backend. */
export class CountingBackend extends CacheBackend {
  /** `operation key-kind` → calls, e.g. `set s` for session records. */
  readonly calls = new Map<string, number>();

  constructor(readonly inner: CacheBackend) {
    super();
  }

  count(operation: string, kind = 's'): number {
    return this.calls.get(`${operation} ${kind}`) ?? 0;
  }

  /** Every call made on its namespace stores, of any operation and key kind. */
  total(): number {
    let calls = 0;
    for (const count of this.calls.values()) calls += count;
    return calls;
  }

  reset(): void {
    this.calls.clear();
  }

  get(key: string): Promise<CacheEntry | undefined> {
    return this.inner.get(key);
  }
  set(key: string, entry: CacheEntry, ttlSeconds?: number): Promise<void> {
    return this.inner.set(key, entry, ttlSeconds);
  }
  delete(key: string): Promise<boolean> {
    return this.inner.delete(key);
  }
  clear(): Promise<number> {
    return this.inner.clear();
  }
  clearPath(path: string, options?: ClearPathOptions): Promise<number> {
    return this.inner.clearPath(path, options);
  }
  clearPattern(glob: string): Promise<number> {
    return this.inner.clearPattern(glob);
  }
  override invalidateTags(tags: string[], options?: InvalidateTagsOptions): Promise<number> {
    return this.inner.invalidateTags(tags, options);
  }
  keys(): AsyncIterable<string> | Promise<string[]> {
    return this.inner.keys();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  override namespace(name: string): KeyValueStore {
    const store = this.inner.namespace(name);
    return new Proxy(store, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const kind = typeof args[0] === 'string' ? args[0].split(':')[0] : '';
          const key = `${String(property)} ${kind}`;
          this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }
}

/** A backend whose namespace stores reject every call (`'reject'`) or never answer (`'hang'`). */
export class DownBackend extends CacheBackend {
  constructor(private readonly mode: 'reject' | 'hang') {
    super();
  }
  private fail<T>(): Promise<T> {
    return this.mode === 'hang'
      ? new Promise<T>(() => undefined)
      : Promise.reject(new Error('ECONNREFUSED 10.1.2.3:6379 (internal detail)'));
  }
  get(): Promise<CacheEntry | undefined> {
    return this.fail();
  }
  set(): Promise<void> {
    return this.fail();
  }
  delete(): Promise<boolean> {
    return this.fail();
  }
  clear(): Promise<number> {
    return this.fail();
  }
  clearPath(): Promise<number> {
    return this.fail();
  }
  clearPattern(): Promise<number> {
    return this.fail();
  }
  override invalidateTags(): Promise<number> {
    return this.fail();
  }
  keys(): Promise<string[]> {
    return this.fail();
  }
  async close(): Promise<void> {}
  override namespace(): KeyValueStore {
    return {
      get: () => this.fail(),
      set: () => this.fail(),
      add: () => this.fail(),
      replace: () => this.fail(),
      delete: () => this.fail(),
      deleteIfEquals: () => this.fail(),
      setAdd: () => this.fail(),
      setRemove: () => this.fail(),
      setMembers: () => this.fail(),
      clear: () => this.fail(),
      clearPattern: () => this.fail(),
    };
  }
}

/** The one body every 401 answers with. */
export const UNAUTHORIZED = { statusCode: 401, message: 'Unauthorized' };
/** The one body a down session store answers with on guarded routes. */
export const UNAVAILABLE = { statusCode: 503, message: 'Service Unavailable' };

/** A unique key prefix per app, so runs and suites never share keys on a server. */
export const uniquePrefix = (label: string): string =>
  `sx-${label}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}:`;
