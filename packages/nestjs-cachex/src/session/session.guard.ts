import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { RateLimitedLogger } from '../common/rate-limited-logger.js';
import { RouteMemo } from '../common/route-memo.js';
import { type HttpRequestLike } from '../http/request.js';
import { sessionState, type SessionVerdict } from './request/session-request.js';
import { type FoundToken } from './rules/session-transport.js';
import { OptionalSessionMetadata } from './session.constants.js';
import { SessionError, SessionMissingError, SessionUnavailableError } from './session.errors.js';
import { SessionManager } from './session.manager.js';

/**
 * Lets a request through only with a valid session, and puts that session on
 * the request for `@Session()`. The token is read from the first source
 * present (token header, `Authorization: Bearer`, session cookie); a missing
 * or bad token answers 401 with a generic body (the reason goes to the debug
 * log), a session store that is down answers 503. On `@OptionalSession()`
 * routes both cases continue without a session. A sliding renewal sends the
 * new token back the way the old one came.
 *
 * Subclass it to change where tokens come from (`getToken`) or which routes
 * are optional (`isOptional`).
 *
 * @example
 * @UseGuards(SessionGuard)
 * @Get('me')
 * me(@Session() session: SessionData) {
 *   return session.user;
 * }
 */
@Injectable()
export class SessionGuard implements CanActivate {
  protected readonly logger = new Logger(SessionGuard.name);
  private readonly failures = new RateLimitedLogger(SessionGuard.name);
  /** Each route's `@OptionalSession()`, the method's over the controller's. */
  private readonly optionalRoutes = new RouteMemo(
    (handler, controller) =>
      this.reflector.getAllAndOverride(OptionalSessionMetadata, [handler, controller]) === true,
  );

  constructor(
    protected readonly sessions: SessionManager,
    protected readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const optional = this.isOptional(context);
    const { req, res } = this.getRequestResponse(context);
    this.sessions.bindResponse(req, res);
    const state = sessionState(req);
    // Applied twice (class and method)? The first run's verdict stands.
    state.verdict ??= this.authenticate(req);
    const verdict = await state.verdict;
    if (verdict.session !== undefined || optional) return true;
    throw verdict.error ?? new SessionMissingError();
  }

  /** Whether the route (or its controller) is marked `@OptionalSession()`. */
  protected isOptional(context: ExecutionContext): boolean {
    return this.optionalRoutes.of(context);
  }

  /** The request and response of an HTTP context. */
  protected getRequestResponse(context: ExecutionContext): { req: HttpRequestLike; res: unknown } {
    const http = context.switchToHttp();
    return { req: http.getRequest<HttpRequestLike>(), res: http.getResponse<unknown>() };
  }

  /** The request's token and where it came from; `undefined` when it carries none. */
  protected getToken(req: HttpRequestLike): FoundToken | undefined {
    return this.sessions.readToken(req);
  }

  /** Loads the request's session, or says why there is none (never throws a `SessionError`). */
  private async authenticate(req: HttpRequestLike): Promise<SessionVerdict> {
    const found = this.getToken(req);
    if (found === undefined) return { error: new SessionMissingError() };
    try {
      const { session } = await this.sessions.authenticate(found.token, req, found.source);
      return { session };
    } catch (error) {
      if (error instanceof SessionUnavailableError) {
        const cause = error.cause instanceof Error ? error.cause : undefined;
        this.failures.error('unavailable', `Session store unavailable (${error.reason})`, cause);
        return { error };
      }
      if (error instanceof SessionError) {
        this.logger.debug(`Session rejected from ${found.source}: ${error.code} (${error.reason})`);
        return { error };
      }
      throw error;
    }
  }
}
