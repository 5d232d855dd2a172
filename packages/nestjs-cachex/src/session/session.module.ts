import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';

import { CACHE_CREDENTIAL_SOURCE, type CredentialSource } from '../cache/cache-credentials.js';
import { Clock, systemClock } from '../common/clock.js';
import {
  type ResolvedSessionOptions,
  resolveSessionOptions,
  type SessionModuleOptions,
} from './session-options.js';
import { SESSION_OPTIONS } from './session.constants.js';
import { getRequestSession } from './request/session-request.js';
import { SessionGuard } from './session.guard.js';
import { SessionInterceptor } from './session.interceptor.js';
import { SESSION_MODULE_OPTIONS, ConfigurableSessionModule } from './session.module-definition.js';
import { SessionManager } from './session.manager.js';

/**
 * Sessions stored on a CacheX backend: provides `SessionManager` and
 * `SessionGuard`, saves changed sessions at the end of each request, and
 * tells the cache interceptor that a session token is a credential (so
 * private responses are never shared). Global by default (`isGlobal: false`
 * to opt out). Options are validated at start-up (`CacheXConfigError`).
 *
 * @example
 * @Module({
 *   imports: [
 *     CacheXModule.forRoot({ backend: new RedisBackend({ host: 'redis' }) }),
 *     SessionModule.forRoot({ secret: process.env.SESSION_SECRET!, cookie: { secure: true } }),
 *   ],
 * })
 * export class AppModule {}
 *
 * @example
 * SessionModule.forRootAsync({
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ secret: config.getOrThrow('SESSION_SECRET') }),
 * })
 */
@Module({
  providers: [
    {
      provide: SESSION_OPTIONS,
      useFactory: (options: SessionModuleOptions) => resolveSessionOptions(options),
      inject: [SESSION_MODULE_OPTIONS],
    },
    // The clock of session times; overridden together with CacheXModule's by `overrideProvider(Clock)`.
    { provide: Clock, useValue: systemClock },
    SessionManager,
    SessionGuard,
    { provide: APP_INTERCEPTOR, useClass: SessionInterceptor },
    {
      provide: CACHE_CREDENTIAL_SOURCE,
      useFactory: (
        sessions: SessionManager,
        options: ResolvedSessionOptions,
      ): CredentialSource => ({
        read: (req) => sessions.readToken(req)?.token,
        verifiedId: (req) => getRequestSession(req)?.id,
        responseHeaders: [options.headerName.toLowerCase()],
      }),
      inject: [SessionManager, SESSION_OPTIONS],
    },
  ],
  exports: [SessionManager, SessionGuard, CACHE_CREDENTIAL_SOURCE],
})
export class SessionModule extends ConfigurableSessionModule {}
