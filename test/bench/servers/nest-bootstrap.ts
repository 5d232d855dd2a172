import 'reflect-metadata';
import { type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type AddressInfo } from 'node:net';
import { announce } from './payloads.js';

/**
 * Starts a Nest app (Express platform) on a free loopback port and announces
 * the port; closes it on SIGTERM so backends close their connections.
 */
export async function serveNest(module: Type): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  announce((app.getHttpServer().address() as AddressInfo).port);
  return app;
}

/** An environment variable the orchestrator must set. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
