import { applyDecorators, UseGuards } from '@nestjs/common';
import { SessionGuard } from 'nestjs-cachex/session';
import { RequiredRoles, RolesGuard } from './roles.guard.js';

/**
 * Requires a signed-in user with every one of `roles`: no valid session is
 * 401, a user without the roles is 403. On a controller it covers every route.
 *
 * @example
 * @RequireRoles('admin')
 * @Controller('admin/reports')
 * export class ReportsController {}
 */
export function RequireRoles(...roles: string[]): ClassDecorator & MethodDecorator {
  return applyDecorators(RequiredRoles(roles), UseGuards(SessionGuard, RolesGuard));
}
