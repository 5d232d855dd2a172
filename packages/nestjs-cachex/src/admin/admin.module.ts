import {
  type CanActivate,
  Controller,
  type DynamicModule,
  Module,
  type ModuleMetadata,
  type Type,
  UseGuards,
} from '@nestjs/common';
import { CacheXConfigError } from '../common/errors.js';
import { CACHEX_ADMIN_PATH, CacheXAdminController } from './admin.controller.js';
import { CacheXAdminService } from './admin.service.js';

/** Options of `CacheXAdminModule.register()`. */
export interface CacheXAdminOptions {
  /** Where the page is served: `GET /{path}`, its API under `/{path}/api` (default `'cachex'`). */
  path?: string;
  /**
   * Who may see the page and purge: a `CanActivate` class, run on every
   * admin route. Required: the page lists keys and purges the cache.
   */
  guard: Type<CanActivate>;
  /** Modules the guard's own dependencies come from (an auth module, say). */
  imports?: ModuleMetadata['imports'];
}

/**
 * An admin page for the cache and its JSON API, behind a guard you give:
 * `GET /{path}` shows requests per route by outcome with the hit ratio,
 * backend calls, entries and bytes, the breaker's state, a paged list of
 * keys and forms to purge by tag, path or glob (soft or hard) or clear.
 * Server-rendered, no script, no external asset, its own strict
 * `Content-Security-Policy`. The API: `GET api/stats`, `GET api/keys?glob=&cursor=&limit=`,
 * `GET api/entry?key=`, `POST api/purge` (`{ path | glob | tags, soft }`),
 * `DELETE api/entries` (clear). Purges are POST or DELETE and refuse requests
 * sent from another site's page. Needs `CacheXModule` (global by default).
 *
 * @example
 * @Module({
 *   imports: [
 *     CacheXModule.forRoot(),
 *     CacheXAdminModule.register({ path: 'admin/cache', guard: AdminGuard, imports: [AuthModule] }),
 *   ],
 * })
 * export class AppModule {}
 */
@Module({})
export class CacheXAdminModule {
  /** Mounts the page at `path` behind `guard`; throws `CacheXConfigError` without a guard. */
  static register(options: CacheXAdminOptions): DynamicModule {
    if (typeof options?.guard !== 'function') {
      throw new CacheXConfigError(
        'CacheXAdminModule.register() needs a guard: pass { guard: YourAdminGuard }, a CanActivate class that lets only admins in',
      );
    }
    const path = (options.path ?? 'cachex').replace(/^\/+|\/+$/g, '');
    if (path === '') {
      throw new CacheXConfigError(
        'CacheXAdminModule.register(): path must name a route, e.g. "cachex"',
      );
    }

    @Controller(path)
    @UseGuards(options.guard)
    class AdminController extends CacheXAdminController {}

    return {
      module: CacheXAdminModule,
      imports: options.imports ?? [],
      controllers: [AdminController],
      providers: [CacheXAdminService, { provide: CACHEX_ADMIN_PATH, useValue: path }],
    };
  }
}
