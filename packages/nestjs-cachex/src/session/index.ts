/**
 * `nestjs-cachex/session`: sessions stored on any CacheX backend, with signed
 * (`simple`) or JWT tokens, a guard, `@Session()` and `@OptionalSession()`.
 * `@nestjs/jwt` is needed only with `tokenFormat: 'jwt'`.
 */
export { SessionModule } from './session.module.js';
export type {
  SessionModuleAsyncOptions,
  SessionModuleForRootOptions,
} from './session.module-definition.js';
export type {
  SessionCookieOptions,
  SessionCookieSameSite,
  SessionJwtAlgorithm,
  SessionJwtOptions,
  SessionModuleOptions,
} from './session-options.js';
export { SessionManager, type LoadedSession, type SessionWithToken } from './session.manager.js';
export { type SessionContext } from './rules/session-bindings.js';
export { SessionGuard } from './session.guard.js';
export { OptionalSession, Session } from './session.decorator.js';
export { SessionData, type FlashMessage, type SessionUser } from './session-data.js';
export { getRequestSession } from './request/session-request.js';
export { type FoundToken, type TokenSource } from './rules/session-transport.js';
export {
  SessionBindingError,
  SessionError,
  type SessionErrorCode,
  SessionExpiredError,
  SessionInvalidError,
  SessionMissingError,
  SessionRevokedError,
  SessionUnavailableError,
} from './session.errors.js';
