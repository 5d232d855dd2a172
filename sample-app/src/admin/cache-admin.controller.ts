import { BadRequestException, Controller, Delete, Get, Query } from '@nestjs/common';
import { CacheBackend } from 'nestjs-cachex';
import { RequireRoles } from '../auth/roles.decorator.js';

/**
 * Invalidation endpoints on the injected CacheBackend, for signed-in admins
 * only: no session is 401, a user without the `admin` role is 403. Sign in as
 * `ada` / `lovelace-demo` (an admin) and send the session cookie:
 *
 * curl -c jar -X POST localhost:3000/auth/login -H 'content-type: application/json' \
 *      -d '{"username":"ada","password":"lovelace-demo"}'
 * curl -b jar localhost:3000/admin/cache/keys
 * curl -b jar -X DELETE 'localhost:3000/admin/cache/path?path=/products/1'
 *
 * Purges are DELETEs, which a cross-site page cannot send with the `sid`
 * cookie (`SameSite=Lax`, and DELETE needs a CORS preflight this app does not
 * grant).
 */
@RequireRoles('admin')
@Controller('admin/cache')
export class CacheAdminController {
  constructor(private readonly cache: CacheBackend) {}

  /** DELETE /admin/cache/path?path=/products/1 — one path, every query. */
  @Delete('path')
  async clearPath(@Query('path') path?: string, @Query('soft') soft?: string) {
    if (!path) throw new BadRequestException('give ?path=');
    return { removed: await this.cache.clearPath(path, { soft: soft === 'true' }) };
  }

  /** DELETE /admin/cache/pattern?glob=/products/* — every path matching the glob. */
  @Delete('pattern')
  async clearPattern(@Query('glob') glob?: string) {
    if (!glob) throw new BadRequestException('give ?glob=');
    return { removed: await this.cache.clearPattern(glob) };
  }

  /** DELETE /admin/cache/tags?tags=products,product:1 (soft=true marks them stale). */
  @Delete('tags')
  async invalidateTags(@Query('tags') tags?: string, @Query('soft') soft?: string) {
    if (!tags) throw new BadRequestException('give ?tags=');
    return { removed: await this.cache.invalidateTags(tags.split(','), { soft: soft === 'true' }) };
  }

  /** DELETE /admin/cache — every response entry (sessions and data stay). */
  @Delete()
  async clear() {
    return { removed: await this.cache.clear() };
  }

  /** GET /admin/cache/keys — the stored keys (not on Memcached). */
  @Get('keys')
  async keys() {
    const keys: string[] = [];
    for await (const key of await this.cache.keys()) keys.push(key);
    return { keys };
  }
}
