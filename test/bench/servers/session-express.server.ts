/**
 * `express-session-redis` and `express-session-memory`: a Nest 12 app on
 * Express with `app.use(session({...}))` as the NestJS docs set it up
 * (https://docs.nestjs.com/techniques/session), a guard that checks
 * `req.session.user`, and `connect-redis` (node-redis client) or the default
 * MemoryStore. BENCH_SESSION_STORE=redis|memory; BENCH_REDIS_PORT for Redis.
 * `GET /login` puts the user in a new session (Set-Cookie `connect.sid`).
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RedisStore } from 'connect-redis';
import session from 'express-session';
import { type AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { requiredEnv } from './nest-bootstrap.js';
import { announce } from './payloads.js';
import { ReqSessionController } from './session-routes.js';

@Module({ controllers: [ReqSessionController] })
class SessionBenchModule {}

const storeKind = process.env['BENCH_SESSION_STORE'] ?? 'memory';
let store: unknown;
if (storeKind === 'redis') {
  const client = createClient({
    socket: { host: '127.0.0.1', port: Number(requiredEnv('BENCH_REDIS_PORT')) },
  });
  await client.connect();
  store = new RedisStore({ client });
} else if (storeKind !== 'memory') {
  throw new Error(`BENCH_SESSION_STORE=${storeKind}: expected memory or redis`);
}

const app = await NestFactory.create(SessionBenchModule, { logger: ['error', 'warn'] });
app.use(
  session({
    secret: 'a-benchmark-secret-of-at-least-32-characters',
    resave: false,
    saveUninitialized: false,
    ...(store !== undefined && { store }),
  }),
);
await app.listen(0, '127.0.0.1');
announce((app.getHttpServer().address() as AddressInfo).port);
