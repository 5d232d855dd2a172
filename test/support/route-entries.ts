/**
 * Counts the requests that enter the routes Nest registered — Nest's
 * pipeline — so a suite can prove a hit was answered before it (early hits).
 * Suites ask `startApp` for it (`onRouteEntry`), which calls the one of its
 * platform at the moment that platform needs.
 */
import { type INestApplication } from '@nestjs/common';

interface RouteLayer {
  route?: unknown;
  handle: (req: unknown, res: unknown, next: unknown) => unknown;
}

/**
 * Calls `onEntry` for every request entering one of Express's route layers (a
 * route, or method-bound middleware). Call it once the app is listening.
 */
export function onExpressRouteEntry(app: INestApplication, onEntry: () => void): void {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: RouteLayer[] } };
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    const handle = layer.handle;
    layer.handle = function (this: unknown, req: unknown, res: unknown, next: unknown) {
      onEntry();
      return handle.call(this, req, res, next);
    };
  }
}

/**
 * Calls `onEntry` for every request entering a Fastify route handler Nest
 * registers. Call it before the app is initialised (its routes are wrapped as
 * Fastify adds them).
 */
export function onFastifyRouteEntry(app: INestApplication, onEntry: () => void): void {
  const fastify = app.getHttpAdapter().getInstance() as {
    addHook(name: 'onRoute', hook: (route: { handler: RouteHandler }) => void): void;
  };
  fastify.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function (this: unknown, ...args: unknown[]) {
      onEntry();
      return handler.apply(this, args);
    };
  });
}

type RouteHandler = (...args: unknown[]) => unknown;
