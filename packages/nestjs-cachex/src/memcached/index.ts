/**
 * `nestjs-cachex/memcached`: the Memcached backend. Needs the optional peer
 * dependency `memjs`; the root entry `nestjs-cachex` never loads it.
 */
export { MemcachedBackend } from './memcached.backend.js';
export type { MemcachedBackendOptions } from './memcached.options.js';
