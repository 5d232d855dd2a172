/**
 * `nestjs-cachex/redis`: the Redis backend, and the Redis bus of
 * `TieredBackend`. Needs `ioredis` (an optional peer dependency), which only
 * this entry point loads.
 */
export { RedisBackend } from './redis.backend.js';
export type { RedisBackendOptions } from './redis-backend.options.js';
export { RedisBus } from './redis-bus.js';
export type { RedisBusOptions } from './redis-bus.options.js';
