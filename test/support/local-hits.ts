/**
 * The check both two-tier suites make (Redis or Memcached as the shared
 * tier): once warm, hits on every app are answered locally, with no command
 * on the shared store.
 */
import { type INestApplication } from '@nestjs/common';
import type request from 'supertest';

/**
 * Ten GETs of `path` on each app: every one a hit, and the shared store's
 * command count (`commands()`) unchanged across them.
 */
export async function expectOnlyLocalHits(
  apps: INestApplication[],
  get: (app: INestApplication, path: string) => request.Test,
  path: string,
  commands: () => Promise<number>,
): Promise<void> {
  const before = await commands();
  for (let i = 0; i < 10; i++) {
    for (const app of apps) {
      const res = await get(app, path).expect(200);
      expect(res.headers['cache-status']).toMatch(/^cachex; hit/);
    }
  }
  expect((await commands()) - before).toBe(0);
}
