/**
 * `fastify-session-redis`: the Fastify peer of `express-session-redis`: a Nest 12
 * app on `@nestjs/platform-fastify` with `@fastify/cookie` and `@fastify/session`
 * registered as their READMEs show, `connect-redis` (node-redis client) as the
 * store, and a guard that checks `request.session.user`. BENCH_REDIS_PORT.
 * `GET /login` puts the user in a new session (Set-Cookie `sessionId`).
 */
import 'reflect-metadata';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { RedisStore } from 'connect-redis';
import { type AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { requiredEnv } from './nest-bootstrap.js';
import { announce } from './payloads.js';
import { ReqSessionController } from './session-routes.js';

@Module({ controllers: [ReqSessionController] })
class SessionBenchModule {}

const client = createClient({
  socket: { host: '127.0.0.1', port: Number(requiredEnv('BENCH_REDIS_PORT')) },
});
await client.connect();

const app = await NestFactory.create<NestFastifyApplication>(
  SessionBenchModule,
  new FastifyAdapter(),
  { logger: ['error', 'warn'] },
);
await app.register(fastifyCookie);
await app.register(fastifySession, {
  secret: 'a-benchmark-secret-of-at-least-32-characters',
  cookie: { secure: false },
  saveUninitialized: false,
  store: new RedisStore({ client }) as unknown as fastifySession.SessionStore,
});
await app.listen(0, '127.0.0.1');
announce((app.getHttpServer().address() as AddressInfo).port);
