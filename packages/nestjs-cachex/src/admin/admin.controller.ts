import {
  Body,
  Delete,
  Get,
  Header,
  HttpCode,
  Inject,
  NotFoundException,
  Post,
  Query,
  Redirect,
  UseGuards,
} from '@nestjs/common';
import { ADMIN_CSS, ADMIN_PAGE_CSP, type AdminPageModel, renderAdminPage } from './admin.page.js';
import {
  type AdminEntry,
  type AdminKeyPage,
  type AdminPurge,
  type AdminStats,
  CacheXAdminService,
} from './admin.service.js';
import { errorMessage } from '../common/errors.js';
import { SameOriginGuard } from './same-origin.guard.js';

/** The resolved admin path and the token it is provided under. */
export const CACHEX_ADMIN_PATH = Symbol('CACHEX_ADMIN_PATH');

/** A purge as a form or a JSON body sends it. */
interface PurgeBody {
  path?: unknown;
  glob?: unknown;
  tag?: unknown;
  tags?: unknown;
  soft?: unknown;
}

/**
 * The admin page and its JSON API. `CacheXAdminModule.register()` mounts a
 * subclass at the configured path behind the configured guard; purges also
 * pass `SameOriginGuard`. Nothing here is cached by browsers or proxies.
 */
export class CacheXAdminController {
  constructor(
    private readonly admin: CacheXAdminService,
    @Inject(CACHEX_ADMIN_PATH) private readonly path: string,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Security-Policy', ADMIN_PAGE_CSP)
  @Header('X-Content-Type-Options', 'nosniff')
  async page(
    @Query('glob') glob?: string,
    @Query('cursor') cursor?: string,
    @Query('message') message?: string,
  ): Promise<string> {
    const model: AdminPageModel = {
      stats: await this.admin.stats(),
      keys: await this.admin
        .keys(glob || '*', cursor || '0')
        .catch((error: unknown) => ({ error: errorMessage(error) ?? 'the keys cannot be listed' })),
      glob: glob || '*',
      cursor: cursor || '0',
      base: this.base,
      ...(message && { message }),
    };
    return renderAdminPage(model);
  }

  @Get('admin.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  css(): string {
    return ADMIN_CSS;
  }

  @Get('api/stats')
  @Header('Cache-Control', 'no-store')
  stats(): Promise<AdminStats> {
    return this.admin.stats();
  }

  @Get('api/keys')
  @Header('Cache-Control', 'no-store')
  keys(
    @Query('glob') glob?: string,
    @Query('cursor') cursor?: string,
    @Query('limit') limit?: string,
  ): Promise<AdminKeyPage> {
    return this.admin.keys(glob || '*', cursor || '0', limit ? Number(limit) : undefined);
  }

  @Get('api/entry')
  @Header('Cache-Control', 'no-store')
  async entry(@Query('key') key?: string): Promise<AdminEntry> {
    const entry = key ? await this.admin.entry(key) : undefined;
    if (!entry) throw new NotFoundException('no entry under that key');
    return entry;
  }

  @Post('api/purge')
  @HttpCode(200)
  @UseGuards(SameOriginGuard)
  async purge(@Body() body: PurgeBody = {}): Promise<{ purged: number }> {
    return { purged: await this.admin.purge(purgeOf(body)) };
  }

  @Delete('api/entries')
  @UseGuards(SameOriginGuard)
  async clear(): Promise<{ purged: number }> {
    return { purged: await this.admin.clear() };
  }

  /** The page's purge forms post here, and are sent back to the page with the result. */
  @Post('purge')
  @Redirect(undefined, 303)
  @UseGuards(SameOriginGuard)
  async formPurge(@Body() body: PurgeBody = {}): Promise<{ url: string }> {
    const purge = purgeOf(body);
    const count = await this.admin.purge(purge);
    const what = purge.path ?? purge.glob ?? purge.tags!.join(', ');
    return this.backToPage(`${purge.soft ? 'Marked stale' : 'Purged'} ${what}: ${counted(count)}`);
  }

  @Post('clear')
  @Redirect(undefined, 303)
  @UseGuards(SameOriginGuard)
  async formClear(): Promise<{ url: string }> {
    return this.backToPage(`Cleared: ${counted(await this.admin.clear())}`);
  }

  /** The last segment of the admin path: what URLs relative to the page start with. */
  private get base(): string {
    return this.path.slice(this.path.lastIndexOf('/') + 1);
  }

  /** A URL relative to `/{path}/purge` that leads back to `/{path}`, whatever the global prefix. */
  private backToPage(message: string): { url: string } {
    return { url: `../${this.base}?message=${encodeURIComponent(message)}` };
  }
}

function counted(count: number): string {
  return count < 0
    ? 'done (this backend cannot count)'
    : `${count} entr${count === 1 ? 'y' : 'ies'}`;
}

/** Reads a purge from a form (`tag` may list several, comma-separated) or a JSON body. */
function purgeOf(body: PurgeBody): AdminPurge {
  const text = (value: unknown) =>
    typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  const tags = [
    ...(Array.isArray(body.tags) ? body.tags : []),
    ...(text(body.tag)?.split(',') ?? []),
  ]
    .map(text)
    .filter((tag): tag is string => tag !== undefined);
  return {
    ...(text(body.path) && { path: text(body.path) }),
    ...(text(body.glob) && { glob: text(body.glob) }),
    ...(tags.length > 0 && { tags }),
    soft: body.soft === true || body.soft === 'true' || body.soft === 'on',
  };
}
