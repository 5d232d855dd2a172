/**
 * The checks both two-tier suites make (Redis or Memcached as the shared
 * tier), on two apps behind one Host: once warm, hits are answered locally
 * with no command on the shared store; an invalidation on one app is seen on
 * the other.
 */
import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { type TieredBackend } from 'nestjs-cachex';
import { eventually } from './time.js';

/** The Host every request carries, as behind a load balancer. */
const HOST = 'shop.test';

/** A GET of `path` on `app`, with the fleet's Host. */
export const get = (app: INestApplication, path: string): request.Test =>
  request(app.getHttpServer()).get(path).set('Host', HOST);

/**
 * GETs `path` on each app until each answers it from its local tier, that is
 * with no command on the shared store (`commands()`): the first app's store
 * is published on the bus, and a read of another app's that the message
 * overtakes is rightly not kept, however late the message comes.
 */
export async function warmLocally(
  apps: INestApplication[],
  path: string,
  commands: () => Promise<number>,
): Promise<void> {
  for (const app of apps) {
    await eventually(
      async () => {
        const before = await commands();
        await get(app, path).expect(200);
        expect((await commands()) - before).toBe(0);
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  }
}

/**
 * Once warm (`warmLocally`), ten GETs on each app: every one a hit, and the
 * shared store's command count (`commands()`) unchanged across them.
 */
export async function expectOnlyLocalHits(
  apps: INestApplication[],
  path: string,
  commands: () => Promise<number>,
): Promise<void> {
  await warmLocally(apps, path, commands);
  const before = await commands();
  for (let i = 0; i < 10; i++) {
    for (const app of apps) {
      const res = await get(app, path).expect(200);
      expect(res.headers['cache-status']).toMatch(/^cachex; hit/);
    }
  }
  expect((await commands()) - before).toBe(0);
}

/**
 * Both apps answer `path` (one handler run, B's from its local tier), then
 * `invalidate()` runs on A: B's requests soon run the handler a second time.
 * Resolves with what `invalidate()` resolved with.
 */
export async function expectInvalidationSeenOnB<T>(
  [appA, appB]: [INestApplication, INestApplication],
  path: string,
  handlerRuns: () => number,
  invalidate: () => Promise<T>,
): Promise<T> {
  await get(appA, path).expect(200);
  await get(appB, path).expect(200);
  expect(handlerRuns()).toBe(1);
  const result = await invalidate();
  await eventually(
    async () => {
      await get(appB, path).expect(200);
      expect(handlerRuns()).toBe(2);
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  );
  return result;
}

/** The invalidations both suites prove are seen across apps, by name, on `/products/1`. */
export const invalidations: Array<[string, (tiered: TieredBackend) => Promise<number>]> = [
  ['clearPath', (t) => t.clearPath('/products/1')],
  ['invalidateTags', (t) => t.invalidateTags(['product:1'])],
  ['a soft invalidateTags', (t) => t.invalidateTags(['products'], { soft: true })],
];
