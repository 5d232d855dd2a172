/**
 * `nest-nocache` and `nest-fastify-nocache`: NestJS 12 with no cache, on Express
 * or (BENCH_PLATFORM=fastify) Fastify: every request runs its handler.
 */
import { Controller, Module } from '@nestjs/common';
import { BenchRoutes, RunsController } from './bench-routes.js';
import { serveNest } from './nest-bootstrap.js';

@Controller()
class BenchController extends BenchRoutes {}

@Module({ controllers: [BenchController, RunsController] })
class BenchModule {}

await serveNest(BenchModule);
