/**
 * Memory bound: 1 000 000 distinct keys × ~1 KB through MemoryBackend with
 * maxBytes 64 MiB, in a child process → peak RSS and entries kept, against the
 * child's own baseline RSS. `maxEntries` is raised to 100 000, above the ~48 000
 * entries that fit in 64 MiB, so that maxBytes (not the default 10 000-entry
 * cap) is the bound under test; lru-cache allocates per-slot arrays for all of
 * `maxEntries` up front, so a larger value adds to the RSS by itself.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pinnedCommand } from '../lib/machine.mjs';

const run = promisify(execFile);
const MiB = 1024 * 1024;

export async function runMemoryBound({
  keys = 1_000_000,
  maxBytes = 64 * MiB,
  maxEntries = 100_000,
  core = 0,
} = {}) {
  const child = fileURLToPath(new URL('./memory-bound.child.mjs', import.meta.url));
  const [command, args] = pinnedCommand(core, [
    process.execPath,
    '--expose-gc',
    child,
    String(keys),
    String(maxBytes),
    String(maxEntries),
  ]);
  const { stdout } = await run(command, args, { maxBuffer: 1024 * 1024, timeout: 300_000 });
  const result = JSON.parse(stdout.trim().split('\n').pop());
  const limit = 3 * maxBytes + result.baselineRssBytes;
  return { ...result, limitRssBytes: limit, met: result.peakRssBytes < limit };
}
