/**
 * The tarball users install: packed once (`npm pack`, which runs `prepack`)
 * for every app and for attw, and checked to ship both builds, the CommonJS
 * shims and the sources the maps point to, without specs.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './run.mjs';

const required = [
  'dist/esm/index.js',
  'dist/esm/index.d.ts',
  'dist/esm/redis/index.js',
  'dist/esm/session/index.d.ts',
  'dist/commonjs/index.js',
  'dist/commonjs/index.d.ts',
  'dist/commonjs/package.json',
  'cjs/index.cjs',
  'cjs/load.cjs',
];

/**
 * Packs `pkgDir` into `destDir` as `nestjs-cachex.tgz`, the name the apps
 * depend on; resolves with its path, integrity and file list.
 */
export async function packTarball(pkgDir, destDir) {
  const [packed] = JSON.parse(
    await run('npm', ['pack', '--json', '--silent', '--pack-destination', destDir], {
      cwd: pkgDir,
    }),
  );
  const path = join(destDir, 'nestjs-cachex.tgz');
  renameSync(join(destDir, packed.filename), path);
  return { path, integrity: packed.integrity, files: packed.files.map((file) => file.path) };
}

/** What is wrong with the packed file list; empty when nothing is. */
export function packProblems(files) {
  const problems = required
    .filter((file) => !files.includes(file))
    .map((file) => `npm pack leaves out ${file}`);
  const strays = files.filter(
    (file) =>
      !/^(dist|src|cjs)\//.test(file) && !['package.json', 'README.md', 'LICENSE'].includes(file),
  );
  if (strays.length > 0) {
    problems.push(`npm pack ships files outside dist/, src/ and cjs/: ${strays.join(', ')}`);
  }
  if (files.some((file) => file.includes('.spec.'))) problems.push('npm pack ships spec files');
  return problems;
}
