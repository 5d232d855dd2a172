import 'reflect-metadata';
import { type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type AddressInfo } from 'node:net';
import { announce } from './payloads.js';

/** The HTTP platform of a Nest variant: BENCH_PLATFORM=express (default) or fastify. */
const platform = process.env['BENCH_PLATFORM'] ?? 'express';

const LOGGER = { logger: ['error', 'warn'] as ('error' | 'warn')[] };

/**
 * Creates the app on the chosen platform. @nestjs/platform-fastify is loaded
 * only for Fastify, so an Express variant starts as it did before it existed.
 */
async function createApp(module: Type): Promise<INestApplication> {
  if (platform === 'express') return NestFactory.create(module, LOGGER);
  if (platform === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    return NestFactory.create(module, new FastifyAdapter(), LOGGER);
  }
  throw new Error(`BENCH_PLATFORM=${platform}: expected express or fastify`);
}

/**
 * Starts a Nest app (Express, or Fastify with BENCH_PLATFORM=fastify) on a
 * free loopback port and announces the port; closes it on SIGTERM so
 * backends close their connections. BENCH_COMPRESSION_MIDDLEWARE=1 (Express)
 * puts the `compression` middleware in front, as a production app has it.
 */
export async function serveNest(module: Type): Promise<INestApplication> {
  const app = await createApp(module);
  if (process.env['BENCH_COMPRESSION_MIDDLEWARE'] === '1') {
    if (platform !== 'express') throw new Error('BENCH_COMPRESSION_MIDDLEWARE: Express only');
    const { default: compression } = await import('compression');
    app.use(compression());
  }
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
