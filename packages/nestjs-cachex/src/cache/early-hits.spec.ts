import {
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  Logger,
  type NestInterceptor,
  UseGuards,
  UseInterceptors,
  VersioningType,
} from '@nestjs/common';
import { ApplicationConfig, type HttpAdapterHost, Reflector } from '@nestjs/core';
import { type CacheEntry } from '../backends/cache-entry.js';
import { MemoryBackend } from '../backends/memory.backend.js';
import { type Clock } from '../common/clock.js';
import { createKeyBuilder } from '../http/cache-key.js';
import { type HttpRequestLike } from '../http/request.js';
import { type FastifyReplyLike } from './answer-writer.js';
import { BACKEND_FAILED, BackendCalls } from './backend-call.js';
import { CacheCredentials } from './cache-credentials.js';
import { type CacheXModuleOptions, resolveModuleOptions } from './cache-module.options.js';
import { type CacheOptions } from './cache.options.js';
import { EarlyHits } from './early-hits.js';
import { type ExpressAppLike } from './early-hits.express.js';
import { resolveRoutePolicy, storageKey } from './route-policy.js';
import { markTransparentOnHit } from './transparent-interceptors.js';

/** Far from the wall clock: an entry is fresh or stale by the clock EarlyHits is given alone. */
const T0 = Date.parse('2001-01-01T00:00:00Z');

class ManualClock implements Clock {
  ms = T0;
  now(): number {
    return this.ms;
  }
}

class AllowGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

class LoggingInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler) {
    return next.handle();
  }
}

class QuietInterceptor extends LoggingInterceptor {}
markTransparentOnHit(QuietInterceptor);

class ProductsController {
  list() {}
  @UseGuards(AllowGuard)
  guarded() {}
  @UseInterceptors(LoggingInterceptor)
  logged() {}
  @UseInterceptors(QuietInterceptor)
  quiet() {}
}

@UseGuards(AllowGuard)
class GuardedController {
  list() {}
}

/** The execution context `learn` reads: the handler and its controller. */
const contextOf = (controller: object, handler: object) =>
  ({ getHandler: () => handler, getClass: () => controller }) as unknown as ExecutionContext;
const LIST = contextOf(ProductsController, ProductsController.prototype.list);

const requestFor = (path = '/products', headers: Record<string, string> = {}) =>
  ({ method: 'GET', url: path, headers: { host: 'shop.example', ...headers } }) as HttpRequestLike;

/** What the early mount did with one request: sent an answer, or passed it on. */
type Outcome =
  { sent: { status: number; headers: Record<string, string>; body?: Buffer } } | { passed: true };

interface Setup {
  options?: CacheXModuleOptions;
  platform?: 'fastify' | 'express' | 'none';
  express?: ExpressAppLike;
  config?: ApplicationConfig;
}

/**
 * EarlyHits with real collaborators (MemoryBackend, Reflector,
 * ApplicationConfig, CacheCredentials, BackendCalls), a hand-moved clock and
 * a stand-in Fastify instance whose `preHandler` hook the test calls.
 */
function setup({
  options = {},
  platform = 'fastify',
  express,
  config = new ApplicationConfig(),
}: Setup = {}) {
  const resolved = resolveModuleOptions(options);
  const backend = new MemoryBackend();
  const clock = new ManualClock();
  let hook: ((req: HttpRequestLike, reply: FastifyReplyLike, done: () => void) => void) | undefined;
  const fastify = { addHook: (_name: string, added: typeof hook) => (hook = added) };
  const adapterHost = {
    httpAdapter:
      platform === 'none'
        ? undefined
        : { getType: () => platform, getInstance: () => express ?? fastify },
  } as unknown as HttpAdapterHost;
  const earlyHits = new EarlyHits(
    backend,
    resolved,
    adapterHost,
    config,
    new Reflector(),
    new CacheCredentials(resolved),
    new BackendCalls(resolved),
    clock,
  );
  earlyHits.onApplicationBootstrap();
  const keyOf = createKeyBuilder(resolved);
  const policyOf = (route: CacheOptions = { ttl: 60 }) =>
    resolveRoutePolicy(route, resolved, keyOf);

  /** Sends `req` through the early hook. */
  const ask = (req: HttpRequestLike): Promise<Outcome> =>
    new Promise((resolve) => {
      expect(hook).toBeDefined();
      const sent: { status: number; headers: Record<string, string>; body?: Buffer } = {
        status: 0,
        headers: {},
      };
      const reply: FastifyReplyLike = {
        code: (status) => ((sent.status = status), reply),
        headers: (headers) => ((sent.headers = headers), reply),
        send: (body) => resolve({ sent: { ...sent, ...(body && { body }) } }),
      };
      hook!(req, reply, () => resolve({ passed: true }));
    });

  /** Stores `entry` where the early lookup of `req` reads it. */
  const store = (req: HttpRequestLike, entry: CacheEntry) =>
    backend.set(storageKey(keyOf(req), req, []), entry);

  return { earlyHits, backend, clock, ask, store, policyOf, keyOf, hooked: () => !!hook };
}

const entryAt = (storedAt: number, overrides: Partial<CacheEntry> = {}): CacheEntry => ({
  status: 200,
  headers: { 'content-type': 'application/json', etag: '"e1"' },
  body: Buffer.from('{"products":[]}'),
  storedAt,
  maxAge: 60,
  ...overrides,
});

describe('EarlyHits', () => {
  // The backend-failure case logs an error by design.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  describe('answering before Nest', () => {
    it("passes every request on until the interceptor has seen the route's first request", async () => {
      const { earlyHits, ask, store } = setup();
      const req = requestFor();
      await store(req, entryAt(T0));
      expect(await ask(req)).toEqual({ passed: true });
      // Nothing was read, so nothing is handed over.
      expect(earlyHits.take(req, 'any')).toBeUndefined();
    });

    it('answers a fresh entry once the route is learned, with Age and Cache-Status by the clock', async () => {
      const { earlyHits, ask, store, clock, policyOf } = setup();
      const req = requestFor();
      earlyHits.learn(LIST, req, policyOf());
      await store(req, entryAt(T0));
      clock.ms += 5_000;
      const outcome = await ask(requestFor());
      expect(outcome).toEqual({
        sent: {
          status: 200,
          headers: {
            'content-type': 'application/json',
            etag: '"e1"',
            'Cache-Control': 'max-age=60',
            Age: '5',
            'Cache-Status': 'cachex; hit; ttl=55',
          },
          body: Buffer.from('{"products":[]}'),
        },
      });
    });

    it("answers a matching If-None-Match with a 304, and a query of the learned route's path", async () => {
      const { earlyHits, ask, store, policyOf } = setup();
      earlyHits.learn(LIST, requestFor(), policyOf());
      const withQuery = requestFor('/products?page=2', { 'if-none-match': '"e1"' });
      await store(withQuery, entryAt(T0));
      const outcome = await ask(withQuery);
      expect(outcome).toMatchObject({ sent: { status: 304 } });
      expect('sent' in outcome && outcome.sent.body).toBeFalsy();
    });

    it('passes a stale entry on, and hands what it read to the interceptor once', async () => {
      const { earlyHits, ask, store, clock, policyOf, keyOf } = setup();
      const req = requestFor();
      earlyHits.learn(LIST, req, policyOf());
      const stale = entryAt(T0, { staleWhileRevalidate: 30 });
      await store(req, stale);
      clock.ms += 60_000;
      expect(await ask(req)).toEqual({ passed: true });
      const key = keyOf(req);
      expect(earlyHits.take(req, `${key}|||vary:x=`)).toBeUndefined();
      expect(earlyHits.take(req, key)).toEqual({ key, found: stale });
      expect(earlyHits.take(req, key)).toBeUndefined();
    });

    it('passes a miss and a backend failure on, handing over what the lookup found', async () => {
      const { earlyHits, ask, backend, policyOf, keyOf } = setup();
      const miss = requestFor();
      earlyHits.learn(LIST, miss, policyOf());
      expect(await ask(miss)).toEqual({ passed: true });
      expect(earlyHits.take(miss, keyOf(miss))).toEqual({ key: keyOf(miss), found: undefined });

      backend.get = () => Promise.reject(new Error('backend down'));
      const failed = requestFor();
      expect(await ask(failed)).toEqual({ passed: true });
      expect(earlyHits.take(failed, keyOf(failed))?.found).toBe(BACKEND_FAILED);
    });

    it('passes an entry stored for other Vary values, and an empty body', async () => {
      const { earlyHits, ask, store, policyOf } = setup();
      earlyHits.learn(LIST, requestFor(), policyOf());
      const french = requestFor('/products', { 'accept-language': 'fr' });
      await store(french, entryAt(T0, { varyValues: { 'accept-language': 'de' } }));
      expect(await ask(french)).toEqual({ passed: true });
      const empty = requestFor('/products?empty');
      await store(empty, entryAt(T0, { body: Buffer.alloc(0) }));
      expect(await ask(empty)).toEqual({ passed: true });
    });

    it('passes a request with a credential without reading the backend', async () => {
      const { earlyHits, ask, store, policyOf } = setup();
      earlyHits.learn(LIST, requestFor(), policyOf());
      const credentials: Array<Record<string, string>> = [
        { authorization: 'Bearer a' },
        { cookie: 'sid=1' },
      ];
      for (const headers of credentials) {
        const req = requestFor('/products', headers);
        await store(req, entryAt(T0));
        expect(await ask(req)).toEqual({ passed: true });
        expect(earlyHits.take(req, createKeyBuilder(resolveModuleOptions({}))(req))).toBe(
          undefined,
        );
      }
    });
  });

  describe('which routes are answered early', () => {
    /** Whether a fresh hit on the route, learned with `context` and `route`, is answered early. */
    async function answeredEarly(
      context: ExecutionContext,
      route: CacheOptions = { ttl: 60 },
      config?: ApplicationConfig,
    ): Promise<boolean> {
      const { earlyHits, ask, store, policyOf } = setup({ config });
      const req = requestFor();
      earlyHits.learn(context, req, policyOf(route));
      await store(req, entryAt(T0));
      return 'sent' in (await ask(requestFor()));
    }

    it('a plain shared route, and one whose only interceptor is marked transparent', async () => {
      expect(await answeredEarly(LIST)).toBe(true);
      const quiet = contextOf(ProductsController, ProductsController.prototype.quiet);
      expect(await answeredEarly(quiet)).toBe(true);
    });

    it.each<[string, CacheOptions]>([
      ['private', { ttl: 60, private: true }],
      ['noStore', { noStore: true }],
      ['noCache', { noCache: true }],
      ['with its own key', { ttl: 60, key: () => 'k' }],
    ])('never a %s route', async (_name, route) => {
      expect(await answeredEarly(LIST, route)).toBe(false);
    });

    it('never a route with a guard: on the method, the controller, or global', async () => {
      const guarded = contextOf(ProductsController, ProductsController.prototype.guarded);
      expect(await answeredEarly(guarded)).toBe(false);
      const onController = contextOf(GuardedController, GuardedController.prototype.list);
      expect(await answeredEarly(onController)).toBe(false);
      const config = new ApplicationConfig();
      config.useGlobalGuards(new AllowGuard());
      expect(await answeredEarly(LIST, { ttl: 60 }, config)).toBe(false);
    });

    it('never a route with an interceptor of its own, or a global one', async () => {
      const logged = contextOf(ProductsController, ProductsController.prototype.logged);
      expect(await answeredEarly(logged)).toBe(false);
      const config = new ApplicationConfig();
      config.useGlobalInterceptors(new LoggingInterceptor());
      expect(await answeredEarly(LIST, { ttl: 60 }, config)).toBe(false);
    });

    it("decides once per route: a later request's policy does not change the verdict", async () => {
      const { earlyHits, ask, store, policyOf } = setup();
      const req = requestFor();
      earlyHits.learn(LIST, req, policyOf({ ttl: 60, private: true }));
      earlyHits.learn(LIST, req, policyOf());
      await store(req, entryAt(T0));
      expect(await ask(requestFor())).toEqual({ passed: true });
    });

    it('never a route with middleware between the early layer and it (Express)', async () => {
      /** Answered early or passed on, when a middleware route layer before `/products` matches it or not. */
      async function expressAnswersEarly(middlewareMatches: boolean): Promise<boolean> {
        const route = { _handlesMethod: () => true };
        // Nest's `forRoutes(TenantController)` middleware: a route layer of its own, before ours.
        const tenantMiddleware = {
          route: { _handlesMethod: () => true },
          handle: () => undefined,
          match: () => middlewareMatches,
        };
        const products = { route, handle: () => undefined, match: () => true };
        const stack: Array<{ name?: string; handle: unknown }> = [tenantMiddleware, products];
        const express = {
          router: { stack },
          use: (handle: unknown) => stack.push({ name: 'early', handle }),
        } as unknown as ExpressAppLike;
        const { earlyHits, store, policyOf } = setup({ platform: 'express', express });
        expect(stack[0]?.name).toBe('early');
        const req = Object.assign(requestFor(), { route });
        earlyHits.learn(LIST, req, policyOf());
        await store(req, entryAt(T0));
        const serve = stack[0]!.handle as (req: unknown, res: unknown, next: () => void) => void;
        return new Promise<boolean>((resolve) =>
          serve(requestFor(), { writeHead: () => resolve(true), end: () => undefined }, () =>
            resolve(false),
          ),
        );
      }
      expect(await expressAnswersEarly(false)).toBe(true);
      expect(await expressAnswersEarly(true)).toBe(false);
    });
  });

  describe('mounting', () => {
    it('mounts nothing with earlyHits: false, with header versioning, or without an HTTP adapter', () => {
      expect(setup().hooked()).toBe(true);
      expect(setup({ options: { earlyHits: false } }).hooked()).toBe(false);
      const headerVersioning = new ApplicationConfig();
      headerVersioning.enableVersioning({ type: VersioningType.HEADER, header: 'x-version' });
      expect(setup({ config: headerVersioning }).hooked()).toBe(false);
      const uriVersioning = new ApplicationConfig();
      uriVersioning.enableVersioning({ type: VersioningType.URI });
      expect(setup({ config: uriVersioning }).hooked()).toBe(true);
      expect(setup({ platform: 'none' }).hooked()).toBe(false);
    });

    it('learns nothing and hands nothing over when not mounted', async () => {
      const { earlyHits, store, policyOf, keyOf } = setup({ options: { earlyHits: false } });
      const req = requestFor();
      earlyHits.learn(LIST, req, policyOf());
      await store(req, entryAt(T0));
      expect(earlyHits.take(req, keyOf(req))).toBeUndefined();
    });
  });
});
