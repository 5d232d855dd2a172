/**
 * `nestjs-cachex/redis`: the Redis backend. Needs `ioredis` (an optional peer
 * dependency), which only this entry point loads.
 */
export { RedisBackend } from './redis.backend.js';
export type { RedisBackendOptions } from './redis-backend.options.js';
