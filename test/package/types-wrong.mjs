/**
 * "Are the types wrong?" on the packed tarball: every entry point must
 * resolve to types of the right module kind under node10, node16 from
 * CommonJS, node16 from ESM and bundler resolution (attw's strict profile).
 */
import { fileURLToPath } from 'node:url';
import { CommandFailed, run } from './run.mjs';

const attw = fileURLToPath(new URL('../../node_modules/.bin/attw', import.meta.url));

/** Resolves with a summary when attw finds no problem; rejects listing each one. */
export async function checkTypes(tarball) {
  let output;
  try {
    output = await run(attw, [tarball, '--format', 'json']);
  } catch (error) {
    // attw exits 1 when it finds problems, and still prints the JSON.
    if (!(error instanceof CommandFailed) || !error.output.trimStart().startsWith('{')) throw error;
    output = error.output;
  }
  const { analysis } = JSON.parse(output);
  const entrypoints = Object.keys(analysis.entrypoints);
  const kinds = [
    ...new Set(
      entrypoints.flatMap((entry) => Object.keys(analysis.entrypoints[entry].resolutions)),
    ),
  ];
  if (analysis.problems.length > 0) {
    const error = new Error(`attw found ${analysis.problems.length} problem(s)`);
    error.output = analysis.problems
      .map(({ kind, entrypoint, resolutionKind }) =>
        [kind, entrypoint && `entry ${entrypoint}`, resolutionKind && `under ${resolutionKind}`]
          .filter(Boolean)
          .join(', '),
      )
      .join('\n');
    throw error;
  }
  return `no problem in ${entrypoints.length} entry points (${entrypoints.join(' ')}) under ${kinds.join(', ')}`;
}
