import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  UseGuards,
} from '@nestjs/common';

import { type SessionData } from './session-data.js';
import { getRequestSession } from './request/session-request.js';
import { OptionalSessionMetadata } from './session.constants.js';
import { SessionGuard } from './session.guard.js';

/**
 * The request's `SessionData` (or one of its properties, e.g.
 * `@Session('user')`), as put there by `SessionGuard`. `undefined` on an
 * `@OptionalSession()` route without a valid session.
 *
 * @example
 * @UseGuards(SessionGuard)
 * @Get('me')
 * me(@Session() session: SessionData) {
 *   return { user: session.user, flash: session.consumeFlash() };
 * }
 */
export const Session = createParamDecorator(
  (property: keyof SessionData | undefined, context: ExecutionContext) => {
    const session = getRequestSession(context.switchToHttp().getRequest<object>());
    return property === undefined ? session : session?.[property];
  },
);

/**
 * Runs `SessionGuard` on a route (or every route of a controller) without
 * requiring a session: with a valid token `@Session()` gives the session,
 * without one (or with a bad one, or while the session store is down) the
 * handler runs with `@Session()` `undefined`.
 *
 * @example
 * @OptionalSession()
 * @Get('hello')
 * hello(@Session() session?: SessionData) {
 *   return session?.user ? `Hello ${session.user.username}` : 'Hello, stranger';
 * }
 */
export function OptionalSession(): ClassDecorator & MethodDecorator {
  return applyDecorators(OptionalSessionMetadata(true), UseGuards(SessionGuard));
}
