/*
 * The optional entry points as an app on the classic tsconfig sees them:
 * `moduleResolution: node` reads no exports map, so each subpath must resolve
 * through typesVersions (no TS2307), and its backends must be CacheBackends of
 * the main entry's declaration. Loaded at start-up; nothing here connects.
 */
import { CacheBackend } from 'nestjs-cachex';
import {
  MemcachedBackend,
  MemcachedBackendOptions,
} from 'nestjs-cachex/memcached';
import { RedisBackend, RedisBackendOptions } from 'nestjs-cachex/redis';
import {
  SessionData,
  SessionManager,
  SessionModule,
} from 'nestjs-cachex/session';

export const optionalBackends: Array<new (...args: never[]) => CacheBackend> = [
  RedisBackend,
  MemcachedBackend,
];

export const sessionClasses = [SessionModule, SessionManager, SessionData];

export type OptionalBackendOptions =
  RedisBackendOptions | MemcachedBackendOptions;
