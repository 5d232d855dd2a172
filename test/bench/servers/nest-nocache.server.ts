/** `nest-nocache`: NestJS 12 on Express, no cache: every request runs its handler. */
import { Controller, Get, Module } from '@nestjs/common';
import { serveNest } from './nest-bootstrap.js';
import { big, runCounts, slow, small } from './payloads.js';

@Controller()
class BenchController {
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

  @Get('__runs')
  runs() {
    return runCounts();
  }
}

@Module({ controllers: [BenchController] })
class BenchModule {}

await serveNest(BenchModule);
