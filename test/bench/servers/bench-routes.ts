/**
 * The routes of the Nest variants, written once. Each variant's controller
 * extends `BenchRoutes` and adds its own caching decorators on the class;
 * `RunsController` stays apart, so `/__runs` is never cached.
 */
import { Controller, Get } from '@nestjs/common';
import { big, runCounts, slow, small } from './payloads.js';

/** `GET /small`, `/big` and `/slow`, undecorated. */
export class BenchRoutes {
  @Get('small')
  small() {
    return small();
  }

  @Get('big')
  big() {
    return big();
  }

  @Get('slow')
  slow() {
    return slow();
  }
}

/** `GET /__runs`: handler runs per route, never cached. */
@Controller()
export class RunsController {
  @Get('__runs')
  runs() {
    return runCounts();
  }
}
