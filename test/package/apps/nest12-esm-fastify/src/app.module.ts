import { Module } from '@nestjs/common';
import { CacheXModule } from 'nestjs-cachex';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';

@Module({
  imports: [CacheXModule.forRoot()],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
