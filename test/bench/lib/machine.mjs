/**
 * What the machine is doing: CPU time from /proc/stat and /proc/<pid>/stat,
 * so the benchmark can wait until processes other than its own are idle and
 * tell which measurements outside load disturbed. Pinning with `taskset`.
 * On a system without /proc, every check reports "unknown" and nothing waits.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem, release, platform } from 'node:os';
import { envNumber } from './progress.mjs';

const HAS_PROC = (() => {
  try {
    readFileSync('/proc/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
})();

/** Clock ticks per second of /proc's CPU times (USER_HZ). */
export const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export const CORES = cpus().length;

/**
 * Busy CPU ticks of the whole machine (all cores), or undefined without /proc.
 * Interrupt time is left out: the loopback traffic of the benchmark itself is
 * mostly softirq time, which the kernel charges to no process.
 */
function machineBusyTicks() {
  if (!HAS_PROC) return undefined;
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const [user, nice, system, , , , , steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return user + nice + system + (steal ?? 0);
}

/** CPU ticks (user + system, all threads) a process has used; 0 once it is gone or without /proc. */
export function processTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * The processes that belong to the benchmark (itself, the server under test,
 * Redis, Memcached): their CPU time is not "outside load".
 */
export const ownPids = new Set([process.pid]);

function snapshot() {
  let own = 0;
  for (const pid of ownPids) own += processTicks(pid);
  return { at: process.hrtime.bigint(), busy: machineBusyTicks(), own };
}

/** Cores' worth of CPU used by other processes between two snapshots (undefined without /proc). */
function outsideCores(from, to) {
  if (from.busy === undefined || to.busy === undefined) return undefined;
  const seconds = Number(to.at - from.at) / 1e9;
  const outsideTicks = to.busy - from.busy - (to.own - from.own);
  return Math.max(0, outsideTicks / TICKS_PER_SECOND / seconds);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Samples the outside load over `windowMs`. */
export async function sampleOutsideLoad(windowMs = 250) {
  const from = snapshot();
  await sleep(windowMs);
  return outsideCores(from, snapshot());
}

/**
 * Waits until other processes use less than `thresholdCores` over a 250 ms
 * window, at most `maxWaitMs`. Resolves to what was seen.
 */
export async function waitForIdle({ thresholdCores, maxWaitMs }) {
  const started = Date.now();
  let load = await sampleOutsideLoad();
  while (load !== undefined && load >= thresholdCores && Date.now() - started < maxWaitMs) {
    load = await sampleOutsideLoad();
  }
  return {
    waitedMs: Date.now() - started,
    outsideCores: load,
    idle: load === undefined || load < thresholdCores,
  };
}

/**
 * How quiet the machine must be around a measurement, from the environment:
 * below `idleCores` of outside load before a round (waiting at most
 * `idleWaitMs` a round, `idleBudgetMs` in all), and a round under more than
 * `disturbedCores` is marked disturbed. Where the load is run and served:
 * `loadCore`, `serverCore`.
 */
export const quietSettings = () => ({
  idleCores: envNumber('BENCH_IDLE_CORES', 0.2),
  disturbedCores: envNumber('BENCH_DISTURBED_CORES', 0.25),
  idleWaitMs: envNumber('BENCH_IDLE_WAIT_MS', 2000),
  idleBudgetMs: envNumber('BENCH_IDLE_BUDGET_MS', 15_000),
  loadCore: 0,
  serverCore: CORES >= 2 ? 1 : 0,
});

/**
 * A gate before each measurement: waits for idle (see `waitForIdle`) at most
 * `idleWaitMs` each time and `idleBudgetMs` in all; `spentMs()` is what it
 * has waited so far.
 */
export function idleGate({ idleCores, idleWaitMs, idleBudgetMs }) {
  let spentMs = 0;
  const gate = async () => {
    const maxWaitMs = Math.max(0, Math.min(idleWaitMs, idleBudgetMs - spentMs));
    const idle = await waitForIdle({ thresholdCores: idleCores, maxWaitMs });
    spentMs += idle.waitedMs;
    return idle;
  };
  gate.spentMs = () => spentMs;
  return gate;
}

/** Starts watching the outside load; `stop()` gives its average in cores since. */
export function watchOutsideLoad() {
  const from = snapshot();
  return { stop: () => outsideCores(from, snapshot()) };
}

let tasksetAvailable;
/** Whether `taskset` can pin processes here. */
export function hasTaskset() {
  if (tasksetAvailable === undefined) {
    try {
      execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
      tasksetAvailable = CORES >= 2;
    } catch {
      tasksetAvailable = false;
    }
  }
  return tasksetAvailable;
}

/** Pins a running process (all its threads) to one core; false when it cannot. */
export function pin(pid, core) {
  if (!hasTaskset()) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The command line that starts `argv` pinned to `core` (unpinned without taskset). */
export function pinnedCommand(core, argv) {
  return hasTaskset() ? ['taskset', ['-c', String(core), ...argv]] : [argv[0], argv.slice(1)];
}

let niceAvailable;
/** Whether `nice` and `renice` can lower and restore a process's priority here. */
function hasNice() {
  if (niceAvailable === undefined) {
    try {
      execFileSync('nice', ['-n', '0', 'true'], { stdio: 'ignore' });
      execFileSync('renice', ['-n', '0', '-p', String(process.pid)], { stdio: 'ignore' });
      niceAvailable = HAS_PROC;
    } catch {
      niceAvailable = false;
    }
  }
  return niceAvailable;
}

/**
 * The command line that starts `argv` on `core` at the lowest priority (nice 19),
 * so that it only takes CPU time nothing else there wants; undefined when it
 * cannot be done (no taskset, nice or /proc).
 */
export function backgroundCommand(core, argv) {
  if (!hasTaskset() || !hasNice()) return undefined;
  return ['taskset', ['-c', String(core), 'nice', '-n', '19', ...argv]];
}

/** Restores normal priority (nice 0) to every thread of a process started by backgroundCommand. */
export function restorePriority(pid) {
  try {
    const threads = readdirSync(`/proc/${pid}/task`);
    execFileSync('renice', ['-n', '0', '-p', ...threads], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** What the report says about the machine. */
export function describeMachine() {
  const cpuList = cpus();
  let loadAverage = '';
  try {
    loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    /* not Linux */
  }
  return {
    cpu: cpuList[0]?.model ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${platform()} ${release()}`,
    node: process.version,
    loadAverageAtStart: loadAverage,
    taskset: hasTaskset(),
    procStat: HAS_PROC,
  };
}
