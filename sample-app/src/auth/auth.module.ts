import { Logger, Module } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { SessionModule } from 'nestjs-cachex/session';
import { AuthController } from './auth.controller.js';
import { UsersService } from './users.service.js';

/**
 * SESSION_SECRET (comma-separated for rotation: the first signs, all verify).
 * Without it, a random secret is made at start-up: sessions then end with the process.
 */
function sessionSecrets(): string[] {
  const configured = process.env.SESSION_SECRET?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (configured?.length) return configured;
  new Logger('AuthModule').warn('SESSION_SECRET is not set: using a random secret for this run');
  return [randomBytes(32).toString('base64url')];
}

/**
 * Sign-in for the sample app: sessions stored on CacheXModule's backend (no
 * `backend` option), sent as an HttpOnly cookie, bound to the User-Agent,
 * renewed while in use, ended after 8 hours whatever happens.
 */
@Module({
  imports: [
    SessionModule.forRootAsync({
      useFactory: () => ({
        secret: sessionSecrets(),
        ttl: 30 * 60,
        absoluteTimeout: 8 * 60 * 60,
        cookie: { name: 'sid', secure: process.env.NODE_ENV === 'production' },
        userAgentBinding: true,
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [UsersService],
})
export class AuthModule {}
