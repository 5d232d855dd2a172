/**
 * The test app with `CacheXAdminModule` mounted behind a guard that lets in
 * requests carrying the `admin=yes` cookie (what a browser logged in as an
 * admin sends) or the `x-admin: yes` header.
 */
import { type CanActivate, type ExecutionContext, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { type CacheBackend, CacheXAdminModule, CacheXModule, MemoryBackend } from 'nestjs-cachex';
import { CacheTestController, type Platform, startApp } from '../support/cache-app.js';

export class TestAdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const { headers } = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined> }>();
    return headers['x-admin'] === 'yes' || /(?:^|;\s*)admin=yes(?:;|$)/.test(headers.cookie ?? '');
  }
}

/** Starts the test app with the admin page at `path` (default `cachex`), on `backend`. */
export async function makeAdminApp(
  platform: Platform,
  path?: string,
  backend: CacheBackend = new MemoryBackend(),
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CacheXModule.forRoot({ backend }),
      CacheXAdminModule.register({ guard: TestAdminGuard, ...(path && { path }) }),
    ],
    controllers: [CacheTestController],
  }).compile();
  return startApp(moduleRef, platform);
}
