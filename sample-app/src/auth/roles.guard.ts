import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { getRequestSession } from 'nestjs-cachex/session';

/** The roles a route (or every route of a controller) needs; set with `@RequireRoles()`. */
export const RequiredRoles = Reflector.createDecorator<string[]>();

/**
 * Lets a request through when its signed-in user has every role the route
 * requires. Runs after `SessionGuard`, which answers 401 without a valid
 * session; a session without a user (anonymous) is 401 here too, a user
 * without the role is 403.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride(RequiredRoles, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required?.length) return true;
    return assertRoles(context, required);
  }
}

/**
 * Passes when the request's signed-in user has every one of `required`: a
 * session without a user (anonymous) is 401, a user without a role is 403.
 */
export function assertRoles(context: ExecutionContext, required: readonly string[]): true {
  const user = getRequestSession(context.switchToHttp().getRequest<object>())?.user;
  if (!user) throw new UnauthorizedException();
  const roles = user.roles ?? [];
  if (!required.every((role) => roles.includes(role))) throw new ForbiddenException();
  return true;
}
