/**
 * `npm run check:package` (after `npm run build`): checks nestjs-cachex as
 * users get it. The package itself: publint strict, every subpath loading by
 * name with its exports (the main entry without the optional clients), the
 * `npm pack` file list, attw on the tarball. Then the apps users have
 * (apps.mjs), each installing that tarball: compile, a hit over HTTP, a Jest
 * e2e test, and one copy of the package when it is both required and imported.
 * Prints one line per check; exits 1 if any failed.
 *
 * The apps are installed in a directory of the system's temp dir named after
 * this checkout, and left there: a rerun only reinstalls what changed
 * (deleting some 100,000 files can take longer than the check). Delete it to
 * start afresh; CI machines start afresh anyway.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lanes, checkApp } from './apps.mjs';
import {
  entryPointProblems,
  exportedNames,
  optionalClients,
  publintProblems,
} from './entry-points.mjs';
import { packProblems, packTarball } from './pack.mjs';
import { createReport, expectNone, seconds } from './report.mjs';
import { timed } from './run.mjs';
import { checkTypes } from './types-wrong.mjs';

const pkgDir = new URL('../../packages/nestjs-cachex/', import.meta.url).pathname;
const checkout = createHash('sha256').update(new URL('../..', import.meta.url).pathname);
const workDir = join(tmpdir(), `nestjs-cachex-package-check-${checkout.digest('hex').slice(0, 8)}`);
mkdirSync(workDir, { recursive: true });
const report = createReport();
const [, totalSeconds] = await timed(checkAll);

if (report.failed) {
  console.error(`package check failed after ${seconds(totalSeconds)}; the apps are in ${workDir}`);
  process.exit(1);
}
console.log(`package check passed in ${seconds(totalSeconds)}`);

async function checkAll() {
  await check('publint', async () =>
    expectNone(await publintProblems(pkgDir), 'strict, no message'),
  );
  await check('entry points', async () =>
    expectNone(
      await entryPointProblems(),
      `${Object.keys(exportedNames).length} load from dist/ with their exports; the main entry without ${optionalClients.join(', ')}`,
    ),
  );
  const tarball = await check('npm pack', async () => {
    const { files, ...tarball } = await packTarball(pkgDir, workDir);
    const summary = `${files.length} files, both builds, no specs`;
    return { summary: expectNone(packProblems(files), summary), value: tarball };
  });
  if (!tarball) return;
  await check('attw', () => checkTypes(tarball.path));
  await Promise.all(lanes.map((names) => checkLane(names, tarball)));
}

async function checkLane(names, tarball) {
  for (const name of names) {
    try {
      const [result, took] = await timed(() => checkApp(name, workDir, tarball));
      const steps = Object.entries(result.seconds).map(
        ([step, value]) => `${step} ${seconds(value)}`,
      );
      report.pass(`${name}: ${result.proved} (${seconds(took)}: ${steps.join(', ')})`);
      if (result.sameClasses) {
        report.pass(
          `${name}: one copy when required and imported, either first (${result.sameClasses})`,
        );
      }
    } catch (error) {
      report.fail(`${name}: ${error.message}`, error.output);
    }
  }
}

/**
 * Runs one check of the package and reports it. `fn` returns its summary, or
 * `{ summary, value }` to hand a value on; resolves with that value (the
 * summary when there is none), or undefined when the check failed.
 */
async function check(name, fn) {
  try {
    const [result, took] = await timed(fn);
    const { summary, value = summary } = typeof result === 'string' ? { summary: result } : result;
    report.pass(`${name}: ${summary} (${seconds(took)})`);
    return value;
  } catch (error) {
    report.fail(`${name}: ${error.message}`, error.output ?? error.stack);
    return undefined;
  }
}
