/**
 * Checks the built package as users get it: publint on packages/nestjs-cachex,
 * fresh ESM apps on NestJS 12 and 11 installing the packed tarball and caching a route,
 * every subpath export imported by package name from dist/, the main entry
 * loading neither ioredis nor memjs, and `npm pack` shipping dist/ and the
 * sources its maps point to, without specs.
 * Run after `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { register } from 'node:module';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pkgDir = new URL('../../packages/nestjs-cachex/', import.meta.url).pathname;
let failed = false;
const fail = (message) => {
  failed = true;
  console.error(`✗ ${message}`);
};

const { messages } = await publint({ pkgDir, strict: true });
const pkg = JSON.parse(readFileSync(`${pkgDir}package.json`, 'utf8'));
for (const message of messages) fail(`publint: ${formatMessage(message, pkg)}`);

// The main entry must not pull in the optional clients.
const banned = ['ioredis', 'memjs', '@nestjs/jwt'];
register(
  `data:text/javascript,${encodeURIComponent(`
    const banned = ${JSON.stringify(banned)};
    export async function resolve(specifier, context, next) {
      if (globalThis.__cachexGuard && banned.includes(specifier)) {
        throw new Error('nestjs-cachex main entry loaded ' + specifier);
      }
      return next(specifier, context);
    }`)}`,
);
await import('reflect-metadata');
globalThis.__cachexGuard = true;
const main = await import('nestjs-cachex');
globalThis.__cachexGuard = false;
const expected = [
  'CacheXModule',
  'Cache',
  'CacheBackend',
  'MemoryBackend',
  'CacheInterceptor',
  'CacheManager',
  'defaultKeyBuilder',
  'CacheXError',
  'CacheXConfigError',
  'CacheXUnsupportedError',
];
for (const name of expected) if (!(name in main)) fail(`nestjs-cachex does not export ${name}`);

const subpaths = {
  'nestjs-cachex/redis': ['RedisBackend'],
  'nestjs-cachex/memcached': ['MemcachedBackend'],
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
for (const [path, names] of Object.entries(subpaths)) {
  const mod = await import(path);
  for (const name of names) if (!(name in mod)) fail(`${path} does not export ${name}`);
}

const packed = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: pkgDir, encoding: 'utf8' }),
);
const files = packed[0].files.map((file) => file.path);
for (const required of [
  'dist/esm/index.js',
  'dist/esm/index.d.ts',
  'dist/esm/redis/index.js',
  'dist/esm/session/index.d.ts',
  'dist/commonjs/index.js',
  'dist/commonjs/index.d.ts',
  'dist/commonjs/package.json',
  'cjs/index.cjs',
  'cjs/load.cjs',
]) {
  if (!files.includes(required)) fail(`npm pack leaves out ${required}`);
}
const strays = files.filter(
  (file) =>
    !/^(dist|src|cjs)\//.test(file) && !['package.json', 'README.md', 'LICENSE'].includes(file),
);
if (strays.length > 0) fail(`npm pack ships files outside dist/ and src/: ${strays.join(', ')}`);
if (files.some((file) => file.includes('.spec.'))) fail('npm pack ships spec files');

// Fresh apps on NestJS 12 (the workspace's versions) and 11 install the tarball and serve a hit.
const root = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const peers = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  'reflect-metadata',
  'rxjs',
];
const nest11 = {
  '@nestjs/common': '^11.0.0',
  '@nestjs/core': '^11.0.0',
  '@nestjs/platform-express': '^11.0.0',
};
for (const [label, versions] of [
  ['NestJS 12', {}],
  ['NestJS 11', nest11],
]) {
  const appDir = mkdtempSync(join(tmpdir(), 'cachex-fresh-app-'));
  try {
    const [tarball] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', appDir], {
        cwd: pkgDir,
        encoding: 'utf8',
      }),
    );
    const dependencies = Object.fromEntries(
      peers.map((name) => [name, root.devDependencies[name]]),
    );
    writeFileSync(
      join(appDir, 'package.json'),
      JSON.stringify({
        name: 'fresh-app',
        private: true,
        type: 'module',
        dependencies: {
          ...dependencies,
          ...versions,
          'nestjs-cachex': `file:./${tarball.filename}`,
        },
      }),
    );
    writeFileSync(
      join(appDir, 'app.mjs'),
      readFileSync(new URL('./fresh-app.mjs', import.meta.url)),
    );
    execFileSync(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
      {
        cwd: appDir,
        stdio: 'inherit',
      },
    );
    console.log(
      `${label} ${execFileSync('node', ['app.mjs'], { cwd: appDir, encoding: 'utf8' }).trim()}`,
    );
  } catch (error) {
    fail(`a fresh ${label} app could not install and use the packed package: ${error.message}`);
  } finally {
    rmSync(appDir, { recursive: true, force: true });
  }
}

if (failed) process.exit(1);
console.log(
  `package check passed: publint clean, ${Object.keys(subpaths).length + 1} entry points load, ${files.length} files packed`,
);
