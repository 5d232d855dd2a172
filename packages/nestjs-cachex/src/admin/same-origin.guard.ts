import { type CanActivate, type ExecutionContext, ForbiddenException } from '@nestjs/common';
import { type HttpRequestLike, headerValue } from '../http/request.js';

/**
 * Whether a request may purge: not sent by another site's page. A browser
 * says where a request comes from in `Sec-Fetch-Site` (all current ones) and
 * `Origin` (on every POST and DELETE); a page of another site can make a
 * logged-in admin's browser send a form, but not forge these. Requests
 * without either come from no browser (curl, a deploy script): they carry
 * no ambient credential to abuse, and the admin guard still judges them.
 */
export function isSameOriginRequest(req: HttpRequestLike): boolean {
  const site = headerValue(req, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = headerValue(req, 'origin');
  if (origin === undefined) return true;
  const host = req.host ?? headerValue(req, 'host');
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** Refuses purges sent from another site's page with 403 (see `isSameOriginRequest`). */
export class SameOriginGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (isSameOriginRequest(context.switchToHttp().getRequest<HttpRequestLike>())) return true;
    throw new ForbiddenException('cross-site requests may not purge the cache');
  }
}
