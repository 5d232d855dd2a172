import { HttpException, HttpStatus } from '@nestjs/common';

/** Stable codes of the session errors; match on these, never on messages. */
export type SessionErrorCode =
  | 'SESSION_MISSING'
  | 'SESSION_INVALID'
  | 'SESSION_EXPIRED'
  | 'SESSION_REVOKED'
  | 'SESSION_BINDING_MISMATCH'
  | 'SESSION_UNAVAILABLE';

/**
 * Base class of the request-facing session errors. Every subclass answers
 * with the same generic JSON body for its status (`{ statusCode: 401, message:
 * 'Unauthorized' }` or `{ statusCode: 503, message: 'Service Unavailable' }`),
 * so a client cannot learn which check failed; the detail stays in `code` and
 * `reason`, for logs and for code calling `SessionManager` directly.
 *
 * @example
 * try {
 *   await sessions.get(token);
 * } catch (err) {
 *   if (err instanceof SessionExpiredError) { ... }
 * }
 */
export class SessionError extends HttpException {
  constructor(
    status: HttpStatus.UNAUTHORIZED | HttpStatus.SERVICE_UNAVAILABLE,
    /** A stable machine-readable code, e.g. `SESSION_EXPIRED`. */
    readonly code: SessionErrorCode,
    /** What went wrong, for logs only: never sent to the client. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      status === HttpStatus.UNAUTHORIZED
        ? { statusCode: status, message: 'Unauthorized' }
        : { statusCode: status, message: 'Service Unavailable' },
      status,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = new.target.name;
  }
}

/** No session token on the request (401). */
export class SessionMissingError extends SessionError {
  constructor(reason = 'no session token on the request') {
    super(HttpStatus.UNAUTHORIZED, 'SESSION_MISSING', reason);
  }
}

/** A token that is malformed, truncated or carries a bad signature or claims (401). */
export class SessionInvalidError extends SessionError {
  constructor(reason: string) {
    super(HttpStatus.UNAUTHORIZED, 'SESSION_INVALID', reason);
  }
}

/** A session past its expiry or its absolute timeout (401). */
export class SessionExpiredError extends SessionError {
  constructor(reason: string) {
    super(HttpStatus.UNAUTHORIZED, 'SESSION_EXPIRED', reason);
  }
}

/** A well-signed token whose session no longer exists: destroyed, invalidated or regenerated (401). */
export class SessionRevokedError extends SessionError {
  constructor(reason: string) {
    super(HttpStatus.UNAUTHORIZED, 'SESSION_REVOKED', reason);
  }
}

/** A session used from another IP address or User-Agent than it is bound to (401). */
export class SessionBindingError extends SessionError {
  constructor(reason: string) {
    super(HttpStatus.UNAUTHORIZED, 'SESSION_BINDING_MISMATCH', reason);
  }
}

/**
 * The session store failed or did not answer within `backendTimeoutMs` (503).
 * Guarded routes answer 503; `@OptionalSession()` routes continue without a session.
 */
export class SessionUnavailableError extends SessionError {
  constructor(reason: string, cause?: unknown) {
    super(HttpStatus.SERVICE_UNAVAILABLE, 'SESSION_UNAVAILABLE', reason, { cause });
  }
}
