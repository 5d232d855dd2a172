/**
 * The apps users have, in test/package/apps/, each copied into the work dir
 * next to the packed tarball (`"nestjs-cachex": "file:../nestjs-cachex.tgz"`)
 * and proving, on this machine's Node: `npm install` installs it, `npm run
 * build` compiles the app with its own tsconfig, `node dist/main.js` serves a
 * miss then a hit of its `@Cache()` route over HTTP, and `npm run test:e2e`
 * (Jest, supertest) passes.
 *
 * An app's node_modules stays in the work dir from one run to the next (a
 * rerun installs in seconds; a fresh checkout or `npm ci` starts clean); its
 * files, lockfile and nestjs-cachex are replaced on every run.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, timed } from './run.mjs';
import { serveHit } from './serve-hit.mjs';

const appsDir = new URL('./apps/', import.meta.url).pathname;
const rootPackage = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
);

/**
 * `base`: the apps it is made from: their files are copied first, in order,
 * then its own (so apps/<name>/ holds only what differs, as a user's change
 * would).
 * `esm`: an ES module app: relative imports in the TypeScript it takes from
 * CommonJS bases get the `.js` their ESM resolution requires, the one change
 * such a file needs there.
 * `oneCopy`: also run one-copy.mjs in it (the dual-package hazard).
 * `rootVersions`: its dependencies must be the workspace's versions.
 * `installIn`: the directory of the app it is installed over once that one
 * is checked (same lane, after it), as a user adding one package to it
 * would; saves a second full install.
 */
export const apps = {
  // (a) exactly what `nest new` makes with @nestjs/schematics 11: CommonJS,
  // tsconfig nodenext, nest build, Jest 30 with ts-jest.
  'nest11-cjs': { oneCopy: true },
  // (d) the same app switched to Fastify (`npm i @nestjs/platform-fastify@11`).
  'nest11-cjs-fastify': { base: ['nest11-cjs'], installIn: 'nest11-cjs' },
  // (c) ES module app on NestJS 12 (the workspace's versions), Jest in ESM mode.
  'nest12-esm': { base: ['nest11-cjs'], esm: true, oneCopy: true, rootVersions: true },
  // (d') the same app switched to Fastify (`npm i @nestjs/platform-fastify@12`).
  'nest12-esm-fastify': {
    base: ['nest12-esm', 'nest11-cjs-fastify'],
    esm: true,
    rootVersions: true,
    installIn: 'nest12-esm',
  },
  // (b) the classic tsconfig of @nestjs/schematics 10 (module commonjs,
  // node10 resolution) on NestJS 11, importing the optional entry points.
  'nest11-cjs-node10': { base: ['nest11-cjs'] },
};

/** Two lanes run side by side (installs wait on the network, builds on a core). */
export const lanes = [
  ['nest11-cjs', 'nest11-cjs-fastify'],
  ['nest12-esm', 'nest12-esm-fastify', 'nest11-cjs-node10'],
];

/** A step that failed, named, with the output of the command behind it. */
export class StepFailed extends Error {
  constructor(step, cause) {
    super(`${step}: ${cause.message}`);
    this.output = cause.output ?? cause.stack;
  }
}

/**
 * Installs, builds, serves and tests one app copied into `workDir`, next to
 * the packed `tarball` ({ path, integrity }). Resolves with what it proved,
 * the classes one-copy.mjs found identical, and how long each step took;
 * rejects with `StepFailed`.
 */
export async function checkApp(name, workDir, tarball) {
  const app = apps[name];
  const dir = join(workDir, app.installIn ?? name);
  const seconds = {};
  const step = async (label, fn) => {
    try {
      const [result, took] = await timed(fn);
      seconds[label] = took;
      return result;
    } catch (error) {
      throw new StepFailed(label, error);
    }
  };

  copyApp(name, dir);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (app.rootVersions) assertRootVersions(pkg);

  await step('install', async () => {
    await npm(dir, 'install', '--prefer-offline', '--no-audit', '--no-fund');
    assertInstalledFrom(tarball, dir);
  });
  await step('build', () => npm(dir, 'run', 'build'));
  await step('http', () => serveHit(dir));
  const e2e = await step('e2e', () => npm(dir, 'run', 'test:e2e'));
  const tests = /Tests:\s+(.*?), \d+ total/.exec(e2e)?.[1] ?? 'passed';
  let sameClasses;
  if (app.oneCopy) {
    cpSync(new URL('./one-copy.mjs', import.meta.url), join(dir, 'one-copy.mjs'));
    sameClasses = await step('one copy', async () => {
      await run('node', ['one-copy.mjs', 'import-first'], { cwd: dir });
      return (await run('node', ['one-copy.mjs', 'require-first'], { cwd: dir })).trim();
    });
  }
  return {
    proved: `${pkg.scripts.build}, miss then hit over HTTP, jest e2e (${tests})`,
    sameClasses,
    seconds,
  };
}

function npm(cwd, ...args) {
  return run('npm', [...args, '--loglevel=error'], { cwd, timeoutMs: 300_000 });
}

/** Replaces everything in `dir` but node_modules with the app, and drops the installed nestjs-cachex. */
function copyApp(name, dir) {
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(dir)) {
    if (entry !== 'node_modules') rmSync(join(dir, entry), { recursive: true, force: true });
  }
  rmSync(join(dir, 'node_modules', 'nestjs-cachex'), { recursive: true, force: true });
  for (const layer of layersOf(name)) cpSync(join(appsDir, layer), dir, { recursive: true });
  if (apps[name].esm) {
    for (const folder of ['src', 'test']) {
      for (const file of readdirSync(join(dir, folder), { recursive: true })) {
        if (file.endsWith('.ts')) addJsExtensions(join(dir, folder, file));
      }
    }
  }
}

/** The apps whose files make `name`, each once, bases first. */
function layersOf(name) {
  const layers = (apps[name].base ?? []).flatMap(layersOf);
  return [...new Set([...layers, name])];
}

/** `from './app.module'` becomes `from './app.module.js'`; imports with an extension stay. */
function addJsExtensions(file) {
  const source = readFileSync(file, 'utf8');
  writeFileSync(file, source.replace(/(from '\.{1,2}\/[^']*?)(?<!\.js)'/g, "$1.js'"));
}

/** The installed nestjs-cachex is the tarball just packed, not one left from an earlier run. */
function assertInstalledFrom(tarball, dir) {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  const installed = lock.packages['node_modules/nestjs-cachex'];
  if (installed?.integrity !== tarball.integrity) {
    throw new Error(
      `npm installed nestjs-cachex ${installed?.integrity ?? 'from nowhere'}, not ${tarball.integrity}`,
    );
  }
}

function assertRootVersions(pkg) {
  const root = rootPackage.devDependencies;
  const drifted = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })
    .filter(([name, version]) => name in root && root[name] !== version)
    .map(([name, version]) => `${name} ${version} (the workspace has ${root[name]})`);
  if (drifted.length > 0) {
    throw new Error(`apps/${pkg.name}/package.json differs from the root: ${drifted.join(', ')}`);
  }
}
