import { type ExecutionContext, Injectable } from '@nestjs/common';
import { SessionGuard } from 'nestjs-cachex/session';
import { assertRoles } from '../auth/roles.guard.js';

/** The role the cache's admin page needs. */
export const ADMIN_ROLE = 'admin';

/**
 * Lets in signed-in users with the `admin` role, on every route of
 * `CacheXAdminModule`: the sample's own sign-in (`SessionGuard`: no valid
 * session is 401), then the role (a user without it is 403). One class,
 * because `CacheXAdminModule.register({ guard })` takes one.
 */
@Injectable()
export class AdminGuard extends SessionGuard {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    await super.canActivate(context);
    return assertRoles(context, [ADMIN_ROLE]);
  }
}
