/**
 * `nest-nosession`: the session variants' Nest app without sessions: `GET /me`
 * answers the fixed user, `GET /login` does nothing.
 */
import { Controller, Get, Module } from '@nestjs/common';
import { serveNest } from './nest-bootstrap.js';
import { meBody, USER } from './session-routes.js';

@Controller()
class SessionController {
  @Get('login')
  login() {
    return { ok: true };
  }

  @Get('me')
  me() {
    return meBody(USER);
  }
}

@Module({ controllers: [SessionController] })
class SessionBenchModule {}

await serveNest(SessionBenchModule);
