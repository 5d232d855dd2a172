/**
 * The package's own metadata and entry points, in this process: publint in
 * strict mode, then every subpath imported by package name from dist/ with
 * the names it must export, the main entry loading none of the optional
 * peers (ioredis, memjs, @nestjs/jwt, @jest/globals, prom-client, @nestjs/terminus).
 */
import { register } from 'node:module';
import { readFileSync } from 'node:fs';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

export const exportedNames = {
  'nestjs-cachex': [
    'CacheXModule',
    'Cache',
    'CacheBackend',
    'MemoryBackend',
    'TieredBackend',
    'CacheBus',
    'MemoryBus',
    'CacheInterceptor',
    'CacheManager',
    'Clock',
    'defaultKeyBuilder',
    'CacheXError',
    'CacheXConfigError',
    'CacheXUnsupportedError',
    'CacheXTimeoutError',
    'CacheXMetrics',
    'CacheXAdminModule',
    'CACHEX_CHANNELS',
    'CacheEvict',
    'CacheEvictInterceptor',
    'Cacheable',
    'InjectCache',
    'getCacheToken',
  ],
  'nestjs-cachex/redis': ['RedisBackend', 'RedisBus'],
  'nestjs-cachex/memcached': ['MemcachedBackend'],
  'nestjs-cachex/prometheus': ['CacheXPrometheusModule'],
  'nestjs-cachex/terminus': ['CacheXHealthIndicator'],
  'nestjs-cachex/session': [
    'SessionModule',
    'SessionManager',
    'SessionGuard',
    'Session',
    'OptionalSession',
    'SessionData',
    'SessionError',
  ],
};

/** publint's messages, formatted; empty when strict-clean. */
export async function publintProblems(pkgDir) {
  const { messages } = await publint({ pkgDir, strict: true });
  const pkg = JSON.parse(readFileSync(`${pkgDir}/package.json`, 'utf8'));
  return messages.map((message) => `publint: ${formatMessage(message, pkg)}`);
}

/** The optional peers (and the testing entry's Jest) the main entry must load without. */
export const optionalClients = [
  'ioredis',
  'memjs',
  '@nestjs/jwt',
  '@jest/globals',
  'prom-client',
  '@nestjs/terminus',
];

/** Missing exports, and an optional client reached from the main entry; empty when none. */
export async function entryPointProblems() {
  register(
    `data:text/javascript,${encodeURIComponent(`
      const banned = ${JSON.stringify(optionalClients)};
      export async function resolve(specifier, context, next) {
        if (globalThis.__cachexGuard && banned.includes(specifier)) {
          throw new Error('nestjs-cachex main entry loaded ' + specifier);
        }
        return next(specifier, context);
      }`)}`,
  );
  await import('reflect-metadata');
  const problems = [];
  for (const [specifier, names] of Object.entries(exportedNames)) {
    globalThis.__cachexGuard = specifier === 'nestjs-cachex';
    try {
      const entry = await import(specifier);
      for (const name of names) {
        if (!(name in entry)) problems.push(`${specifier} does not export ${name}`);
      }
    } catch (error) {
      problems.push(`${specifier} does not load: ${error.message}`);
    } finally {
      globalThis.__cachexGuard = false;
    }
  }
  return problems;
}
