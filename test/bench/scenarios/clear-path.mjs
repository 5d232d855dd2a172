/**
 * clearPath cost: time to clear one path's 10 entries with 0, 10 000 and
 * 100 000 other entries present, per backend (each in a child process).
 * Independent of the others "within noise" means the median with the most
 * others stays within max(50 % of, the p10–p90 spread of) the median with none.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function runClearPath({ backend, port, counts, reps }) {
  const child = fileURLToPath(new URL('./clear-path.child.mjs', import.meta.url));
  const { stdout } = await run(
    process.execPath,
    [child, backend, String(port ?? 0), counts.join(','), String(reps)],
    { maxBuffer: 1024 * 1024, timeout: 300_000 },
  );
  const { results } = JSON.parse(stdout.trim().split('\n').pop());
  const none = results[0];
  const most = results[results.length - 1];
  const allowance = Math.max(0.5 * none.medianMs, none.p90Ms - none.p10Ms);
  return {
    backend,
    results,
    growth: most.medianMs / none.medianMs,
    independent: most.medianMs <= none.medianMs + allowance,
  };
}
