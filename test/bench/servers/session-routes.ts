import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
  Req,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';

/**
 * What every session variant answers: `GET /me` → `{ user }` (guarded), and the
 * user a login puts in the session. Shared so every variant sends the same bytes.
 */
export const USER = { id: 'u1', username: 'ada' };

/** The body of `GET /me`. */
export const meBody = (user: unknown) => ({ user });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SessionRequest = { session: any };

/** Lets a request through when its `req.session` has a user (express-session, @fastify/session). */
@Injectable()
class SessionUserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.switchToHttp().getRequest<SessionRequest>().session?.user) return true;
    throw new UnauthorizedException();
  }
}

/**
 * The routes of the peers that keep the session on `req.session`
 * (`express-session`, `@fastify/session`): `GET /login` puts the user in a
 * new session, `GET /me` answers it behind `SessionUserGuard`.
 */
@Controller()
export class ReqSessionController {
  @Get('login')
  login(@Req() req: SessionRequest) {
    req.session.user = USER;
    return { ok: true };
  }

  @UseGuards(SessionUserGuard)
  @Get('me')
  me(@Req() req: SessionRequest) {
    return meBody(req.session.user);
  }
}
