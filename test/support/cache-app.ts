/**
 * A Nest app with one route per caching behaviour, counting how often each
 * handler runs, so the suites can prove a hit skipped the handler.
 */
import {
  Controller,
  Get,
  Header,
  HttpCode,
  type INestApplication,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
  StreamableFile,
  UseGuards,
  type CanActivate,
  Injectable,
} from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  Cache,
  type CacheBackend,
  CacheXModule,
  type CacheXModuleOptions,
  Clock,
} from 'nestjs-cachex';
import { Readable } from 'node:stream';
import { type Gate } from './gate.js';
import { onExpressRouteEntry, onFastifyRouteEntry } from './route-entries.js';
import { sleep } from './time.js';

/** Handler runs per route name; reset by `resetCacheApp`. */
export const runs: Record<string, number> = {};
const count = (name: string): number => (runs[name] = (runs[name] ?? 0) + 1);

/** What `/flaky` and `/swr-flaky` answer next: a body, a thrown error, or a 503. */
export const flaky = { mode: 'ok' as 'ok' | 'throw' | '503' };

/** Gates the `/swr` and `/slow-cookie` handlers wait at, when set; cleared by `resetCacheApp`. */
export const gates: { swr?: Gate; slowCookie?: Gate } = {};

interface Req {
  headers: Record<string, string | undefined>;
}
/** The reply as both platforms have it: Express's `res.header` is `res.set`, Fastify's `reply.header`. */
interface Res {
  header(name: string, value: string): void;
  status(code: number): Res;
  send(body: string): void;
}

@Injectable()
class DenyGuard implements CanActivate {
  canActivate(context: { switchToHttp(): { getRequest(): Req } }): boolean {
    return context.switchToHttp().getRequest().headers['x-let-me-in'] === 'yes';
  }
}

@Controller()
export class CacheTestController {
  @Cache(60)
  @Get('items/:id')
  item(@Param('id') id: string, @Query('q') q?: string) {
    return { id, q: q ?? null, run: count(`item:${id}`), unicode: 'żółw 🐢' };
  }

  @Post('items/:id')
  update(@Param('id') id: string) {
    return { updated: id, run: count(`post:${id}`) };
  }

  @Post('items/:id/move')
  move(@Param('id') id: string, @Res({ passthrough: true }) res: Res) {
    res.header('Location', `/items/${id}-moved`);
    return { moved: id };
  }

  @Cache({ ttl: 1, staleWhileRevalidate: 30 })
  @Get('swr-flaky')
  swrFlaky() {
    const run = count('swr-flaky');
    if (flaky.mode === 'throw') throw new ServiceUnavailableException('refresh failed');
    return { run };
  }

  @Cache(60)
  @Get('text')
  text() {
    count('text');
    return 'plain text é';
  }

  @Cache(60)
  @Get('bytes')
  @Header('Content-Type', 'application/octet-stream')
  bytes() {
    count('bytes');
    return Buffer.from([0, 255, 1, 254, 128, 10, 13, 0]);
  }

  @Cache(60)
  @Get('big')
  big() {
    count('big');
    return { data: 'x'.repeat(1024 * 1024) };
  }

  @Cache(60)
  @Get('custom-headers')
  custom(@Res({ passthrough: true }) res: Res) {
    count('custom-headers');
    res.header('X-Custom', 'kept');
    res.header('Proxy-Authenticate', 'Basic');
    return { ok: true };
  }

  @Cache(60)
  @Get('own-validators')
  ownValidators(@Res({ passthrough: true }) res: Res) {
    count('own-validators');
    res.header('ETag', 'W/"handler-etag"');
    res.header('Last-Modified', 'Wed, 21 Oct 2015 07:28:00 GMT');
    return { ok: true };
  }

  @Cache({ ttl: 60, statuses: [200, 203] })
  @HttpCode(203)
  @Get('status-203')
  status203() {
    return { run: count('status-203') };
  }

  @Cache(60)
  @HttpCode(203)
  @Get('status-203-not-stored')
  status203NotStored() {
    return { run: count('status-203-not-stored') };
  }

  @Cache(60)
  @Get('not-found')
  notFound() {
    count('not-found');
    throw new NotFoundException('no such thing');
  }

  @Cache(60)
  @Get('cookie')
  cookie(@Res({ passthrough: true }) res: Res) {
    res.header('Set-Cookie', 'a=1; Path=/');
    return { run: count('cookie') };
  }

  @Cache(60)
  @Get('stream')
  stream() {
    count('stream');
    return new StreamableFile(Readable.from(['streamed ', 'body']));
  }

  @Cache(60)
  @Get('raw')
  raw(@Res() res: Res) {
    count('raw');
    res.status(200).send('raw answer');
  }

  @Cache({ noCache: true })
  @Get('no-cache')
  noCache() {
    return { stable: true, run: count('no-cache') > 0 };
  }

  @Cache({ noStore: true })
  @Get('no-store')
  noStore() {
    return { run: count('no-store') };
  }

  @Cache({ ttl: 60, private: true })
  @Get('private')
  private(@Req() req: Req) {
    return { user: req.headers['authorization'] ?? null, run: count('private') };
  }

  @Cache({ ttl: 60, public: true })
  @Get('public')
  public() {
    return { run: count('public') };
  }

  @Cache(60)
  @Get('shared')
  shared(@Req() req: Req) {
    return { user: req.headers['authorization'] ?? null, run: count('shared') };
  }

  @Cache({
    ttl: 30,
    public: true,
    sMaxAge: 120,
    mustRevalidate: true,
    proxyRevalidate: true,
    noTransform: true,
    immutable: true,
    staleWhileRevalidate: 15,
    staleIfError: 300,
  })
  @Get('directives')
  directives() {
    return { run: count('directives') };
  }

  @Cache({ ttl: 1 })
  @Get('short')
  short() {
    return { run: count('short') };
  }

  @Cache({ ttl: 60, vary: ['Accept-Language'] })
  @Get('greeting')
  greeting(@Req() req: Req) {
    count('greeting');
    return { hello: req.headers['accept-language'] === 'fr' ? 'bonjour' : 'hello' };
  }

  @Cache(60)
  @Get('vary-star')
  varyStar(@Res({ passthrough: true }) res: Res) {
    res.header('Vary', '*');
    return { run: count('vary-star') };
  }

  @Cache({
    ttl: 60,
    tags: ['products', (req) => `product:${(req as { params?: { id?: string } }).params?.id}`],
  })
  @Get('products/:id')
  product(@Param('id') id: string) {
    return { id, run: count(`product:${id}`) };
  }

  @Cache({ ttl: 1, staleWhileRevalidate: 30, tags: ['swr'] })
  @Get('swr')
  async swr() {
    const run = count('swr');
    await gates.swr?.passed;
    return { run };
  }

  @Cache({ ttl: 1, staleIfError: 2 })
  @Get('flaky')
  flakyRoute(@Res({ passthrough: true }) res: Res) {
    const run = count('flaky');
    if (flaky.mode === 'throw') throw new ServiceUnavailableException('down');
    if (flaky.mode === '503') res.status(503);
    return { run };
  }

  @Cache({ ttl: 60 })
  @Get('slow')
  async slow() {
    const run = count('slow');
    await sleep(200);
    return { run };
  }

  @Cache({ ttl: 60, coalesce: false })
  @Get('slow-uncoalesced')
  async slowUncoalesced() {
    const run = count('slow-uncoalesced');
    await sleep(200);
    return { run };
  }

  @Cache(60)
  @Get('slow-cookie')
  async slowCookie(@Res({ passthrough: true }) res: Res) {
    const run = count('slow-cookie');
    res.header('Set-Cookie', 'n=1');
    await (gates.slowCookie?.passed ?? sleep(200));
    return { run };
  }

  @Cache(60)
  @UseGuards(DenyGuard)
  @Get('guarded')
  guarded() {
    return { secret: true, run: count('guarded') };
  }

  @Get('uncached')
  uncached() {
    return { run: count('uncached') };
  }
}

/** The HTTP platforms every behaviour holds on (API.md "Platforms"). */
export const platforms = ['express', 'fastify'] as const;
export type Platform = (typeof platforms)[number];

/** What `startApp` does to the app besides starting it. */
export interface StartAppOptions {
  /** Runs on the created app before it is initialised (middleware, versioning, plugins). */
  prepare?: (app: INestApplication) => void;
  /**
   * Called for every request entering a route Nest registered — Nest's
   * pipeline — so a suite can prove a hit was answered before it (early hits).
   */
  onRouteEntry?: () => void;
}

/**
 * Starts a Nest app on `platform`, listening on a free loopback port (one
 * port keeps the Host header, part of the key, the same across requests).
 */
export async function startApp(
  moduleRef: TestingModule,
  platform: Platform = 'express',
  { prepare, onRouteEntry }: StartAppOptions = {},
): Promise<INestApplication> {
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  prepare?.(app);
  // Fastify's routes are wrapped as Nest adds them; Express's once its router holds them.
  if (onRouteEntry && platform === 'fastify') onFastifyRouteEntry(app, onRouteEntry);
  await app.listen(0, '127.0.0.1');
  if (platform === 'fastify')
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  if (onRouteEntry && platform === 'express') onExpressRouteEntry(app, onRouteEntry);
  return app;
}

/** The module options of `makeCacheApp`, and the clock the app should read entry times from. */
export type CacheAppOptions = Omit<CacheXModuleOptions, 'backend'> & {
  /** Replaces CacheXModule's `Clock` (see `fakeClock`). */
  clock?: Clock;
};

/**
 * Puts the test controller back as a new app finds it: no runs counted,
 * `/flaky` answering, no gates (each one opened first, so no handler is left
 * waiting at it).
 */
export function resetCacheApp(): void {
  for (const name of Object.keys(runs)) delete runs[name];
  flaky.mode = 'ok';
  gates.swr?.open();
  delete gates.swr;
  gates.slowCookie?.open();
  delete gates.slowCookie;
}

/** Starts the test app on `backend` with the module options given, after `resetCacheApp`. */
export async function makeCacheApp(
  backend: CacheBackend,
  { clock, ...options }: CacheAppOptions = {},
  platform: Platform = 'express',
): Promise<INestApplication> {
  resetCacheApp();
  const builder = Test.createTestingModule({
    imports: [CacheXModule.forRoot({ backend, backendTimeoutMs: 3000, ...options })],
    controllers: [CacheTestController],
  });
  if (clock) builder.overrideProvider(Clock).useValue(clock);
  return startApp(await builder.compile(), platform);
}
