/**
 * Builds what the benchmark runs, from sources, so it works on a fresh clone:
 *
 * 1. a snapshot of the library, compiled from `packages/nestjs-cachex/src` (or
 *    the package directory named by BENCH_LIBRARY_DIR, to measure a patch kept
 *    outside the repository) into `test/bench/node_modules/nestjs-cachex`.
 *    The servers import it by package name, exactly as an app would. A private
 *    copy, not `packages/nestjs-cachex/dist`: the code under test cannot change
 *    (or vanish, during someone's `npm run build`) in the middle of a run;
 * 2. the server variants, `test/bench/servers/*.ts` → `test/bench/dist/servers`.
 *
 * Each step is skipped when a hash of its inputs matches the last build.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** test/bench/, where the servers, the snapshot and the results live. */
export const benchDir = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
/** The repository's root. */
export const root = join(benchDir, '../..');

/** Files under `dir` (recursively) whose name passes `keep`, sorted. */
function filesUnder(dir, keep) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(path, keep));
    else if (keep(entry.name)) found.push(path);
  }
  return found.sort();
}

function hashOf(paths, extra = '') {
  const hash = createHash('sha256').update(extra);
  for (const path of paths) hash.update(path).update(readFileSync(path));
  return hash.digest('hex');
}

function tsc(project) {
  const bin = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [bin, '-p', project], { stdio: 'inherit' });
}

/**
 * Where the package's `import` entry point lives (`./dist/esm` since the
 * package ships CommonJS beside ES modules; `./dist` before): the snapshot is
 * compiled there, so that its own `exports` resolve. Only the ES build is
 * made: the servers import the package.
 */
function esmOutDir(pkg) {
  const root = pkg.exports?.['.'];
  const entry =
    (typeof root === 'string' ? root : (root?.import?.default ?? root?.default)) ??
    pkg.module ??
    pkg.main ??
    './dist/index.js';
  return `./${posix.dirname(posix.normalize(entry))}`;
}

const isLibrarySource = (name) => name.endsWith('.ts') && !name.endsWith('.spec.ts');

/**
 * Compiles the library snapshot and the servers when their sources changed.
 * @param {(text: string) => void} log
 * @returns {{ libraryDir: string, libraryHash: string, rebuilt: string[], seconds: number }}
 */
export function buildAll(log) {
  const started = Date.now();
  const rebuilt = [];
  const libraryDir = resolve(process.env.BENCH_LIBRARY_DIR ?? join(root, 'packages/nestjs-cachex'));
  if (!existsSync(join(libraryDir, 'src/index.ts'))) {
    throw new Error(`BENCH_LIBRARY_DIR: no src/index.ts in ${libraryDir}`);
  }
  const snapshotDir = join(benchDir, 'node_modules/nestjs-cachex');
  const librarySources = filesUnder(join(libraryDir, 'src'), isLibrarySource);
  const libraryInputs = [
    ...librarySources,
    join(libraryDir, 'package.json'),
    join(root, 'tsconfig.json'),
    join(root, 'tsconfig.build.json'),
  ];
  const libraryHash = hashOf(libraryInputs, libraryDir);
  const libraryStamp = join(snapshotDir, '.bench-build');
  const libraryCurrent =
    existsSync(libraryStamp) && readFileSync(libraryStamp, 'utf8') === libraryHash;

  if (!libraryCurrent) {
    log(`building the library snapshot from ${relative(root, libraryDir) || libraryDir}/src …`);
    rmSync(snapshotDir, { recursive: true, force: true });
    mkdirSync(snapshotDir, { recursive: true });
    for (const file of librarySources) {
      const target = join(snapshotDir, 'src', relative(join(libraryDir, 'src'), file));
      cpSync(file, target);
    }
    cpSync(join(libraryDir, 'package.json'), join(snapshotDir, 'package.json'));
    const outDir = esmOutDir(JSON.parse(readFileSync(join(libraryDir, 'package.json'), 'utf8')));
    // The library's own dependencies (lru-cache) may sit in its node_modules, not the root's.
    const deps = [
      join(libraryDir, 'node_modules'),
      join(root, 'packages/nestjs-cachex/node_modules'),
    ];
    const depsDir = deps.find((dir) => existsSync(dir));
    if (depsDir) symlinkSync(depsDir, join(snapshotDir, 'node_modules'), 'dir');
    writeFileSync(
      join(snapshotDir, 'tsconfig.json'),
      JSON.stringify(
        {
          extends: join(root, 'tsconfig.build.json'),
          compilerOptions: {
            rootDir: './src',
            outDir,
            sourceMap: false,
            declarationMap: false,
            paths: {},
          },
          include: ['src'],
          exclude: [],
        },
        null,
        2,
      ),
    );
    tsc(join(snapshotDir, 'tsconfig.json'));
    writeFileSync(libraryStamp, libraryHash);
    rebuilt.push('library');
  }

  const serverSources = filesUnder(join(benchDir, 'servers'), (name) => name.endsWith('.ts'));
  const serversHash = hashOf([...serverSources, join(benchDir, 'tsconfig.json')], libraryHash);
  const serversStamp = join(benchDir, 'dist/.bench-build');
  const serversCurrent =
    existsSync(serversStamp) && readFileSync(serversStamp, 'utf8') === serversHash;
  if (!serversCurrent) {
    log('building the server variants …');
    rmSync(join(benchDir, 'dist/servers'), { recursive: true, force: true });
    tsc(join(benchDir, 'tsconfig.json'));
    writeFileSync(serversStamp, serversHash);
    rebuilt.push('servers');
  }
  return {
    libraryDir,
    libraryHash: libraryHash.slice(0, 12),
    rebuilt,
    seconds: (Date.now() - started) / 1000,
  };
}
