import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Post,
  Req,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { Cache, type HttpRequestLike } from 'nestjs-cachex';
import {
  OptionalSession,
  Session,
  type SessionData,
  SessionGuard,
  SessionManager,
} from 'nestjs-cachex/session';
import { UsersService } from './users.service.js';

interface LoginBody {
  username?: unknown;
  password?: unknown;
}

/**
 * Sign-in with server-side sessions on the cache's backend. Browsers get an
 * HttpOnly cookie; API clients may send the token as `x-session-token` or
 * `Authorization: Bearer` instead (send `x-session-token:` empty at login to
 * receive the token in that header rather than as a cookie).
 *
 * curl -c jar -b jar -X POST localhost:3000/auth/login -H 'content-type: application/json' \
 *      -d '{"username":"ada","password":"lovelace-demo"}'
 * curl -b jar localhost:3000/auth/me
 */
@Controller('auth')
export class AuthController {
  constructor(
    private readonly sessions: SessionManager,
    private readonly users: UsersService,
  ) {}

  /** Signs in; an existing (anonymous) session is regenerated, never reused (session fixation). */
  @OptionalSession()
  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: LoginBody,
    @Req() req: HttpRequestLike,
    @Session() current?: SessionData,
  ) {
    if (typeof body?.username !== 'string' || typeof body.password !== 'string') {
      throw new BadRequestException('username and password are required');
    }
    const user = this.users.check(body.username, body.password);
    if (!user) throw new UnauthorizedException();
    let session: SessionData;
    if (current) {
      current.user = user;
      ({ session } = await this.sessions.regenerate(current, req));
    } else {
      ({ session } = await this.sessions.create(user, req));
    }
    session.flash(`Welcome, ${user.username}`, 'success'); // saved at the end of this request
    return { user, expiresAt: new Date(session.expiresAt).toISOString() };
  }

  /** Who is signed in. */
  @UseGuards(SessionGuard)
  @Get('me')
  me(@Session() session: SessionData) {
    return {
      user: session.user ?? null,
      createdAt: new Date(session.createdAt).toISOString(),
      expiresAt: new Date(session.expiresAt).toISOString(),
    };
  }

  /** A per-user page cached 30 s per session: one user's body never reaches another. */
  @UseGuards(SessionGuard)
  @Cache({ private: true, ttl: 30 })
  @Get('profile')
  profile(@Session() session: SessionData) {
    return { user: session.user ?? null, renderedAt: new Date().toISOString() };
  }

  /** Greets anyone; signed-in users by name. */
  @OptionalSession()
  @Get('hello')
  hello(@Session() session?: SessionData) {
    return { message: session?.user ? `Hello, ${session.user.username}` : 'Hello, stranger' };
  }

  /** The signed-in user's sessions (devices), oldest first. */
  @UseGuards(SessionGuard)
  @Get('sessions')
  async list(@Session() session: SessionData) {
    const user = this.signedIn(session);
    const all = await this.sessions.listUserSessions(user.id);
    return all.map((s) => ({
      current: s.id === session.id,
      createdAt: new Date(s.createdAt).toISOString(),
      lastAccessedAt: new Date(s.lastAccessedAt).toISOString(),
      userAgent: s.userAgent ?? null,
    }));
  }

  /** Ends this session and clears the cookie. */
  @UseGuards(SessionGuard)
  @Post('logout')
  @HttpCode(204)
  async logout(@Session() session: SessionData, @Req() req: HttpRequestLike): Promise<void> {
    await this.sessions.destroy(session.id, req);
  }

  /** Ends every session of the signed-in user, on every device. */
  @UseGuards(SessionGuard)
  @Post('logout-everywhere')
  @HttpCode(200)
  async logoutEverywhere(@Session() session: SessionData, @Req() req: HttpRequestLike) {
    const user = this.signedIn(session);
    const ended = await this.sessions.destroyUserSessions(user.id);
    await this.sessions.destroy(session.id, req); // already gone: this clears the cookie
    return { ended };
  }

  /** Queues a flash message for the next page. */
  @UseGuards(SessionGuard)
  @Post('flash')
  @HttpCode(204)
  flash(
    @Session() session: SessionData,
    @Body() body: { message?: unknown; category?: unknown },
  ): void {
    if (typeof body?.message !== 'string' || body.message === '') {
      throw new BadRequestException('message is required');
    }
    session.flash(body.message, typeof body.category === 'string' ? body.category : undefined);
  }

  /** The queued flash messages, each returned once. */
  @UseGuards(SessionGuard)
  @Get('flash')
  consumeFlash(@Session() session: SessionData) {
    return session.consumeFlash();
  }

  private signedIn(session: SessionData) {
    if (!session.user) throw new ForbiddenException('sign in first');
    return session.user;
  }
}
