import { Reflector } from '@nestjs/core';

/** DI token of the validated options (`ResolvedSessionOptions`); internal. */
export const SESSION_OPTIONS = Symbol('CACHEX_SESSION_OPTIONS');

/**
 * Route metadata set by `@OptionalSession()`: the guard lets the request
 * through without a session instead of answering 401 or 503. Internal; apply
 * it with `@OptionalSession()`.
 */
export const OptionalSessionMetadata = Reflector.createDecorator<boolean>({
  key: 'cachex:optional-session',
});
