import { Controller, Get } from '@nestjs/common';
import { Cache } from 'nestjs-cachex';
import { AppService } from './app.service.js';

@Controller()
export class AppController {
  constructor(private readonly appService: AppService) {}

  @Get()
  getHello(): string {
    return this.appService.getHello();
  }

  @Get('cached')
  @Cache(60)
  getCached(): { runs: number } {
    return this.appService.countRun();
  }
}
