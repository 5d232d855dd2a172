/**
 * Child processes for the package check: commands run to completion with
 * their output kept for the failure report, servers started and stopped by
 * pid, and an environment free of the npm script that runs the check.
 */
import { spawn } from 'node:child_process';

/** A command that exited non-zero (or timed out), with everything it printed. */
export class CommandFailed extends Error {
  constructor(description, output) {
    super(description);
    this.output = output;
  }
}

/**
 * The environment for a child: this process's, without what `npm run` adds
 * (a nested npm would otherwise take the workspace for its prefix) and without
 * NODE_OPTIONS, so each app runs with only the options its own scripts set.
 */
export function childEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const key of Object.keys(env)) {
    if (/^npm_(package|lifecycle|command|config_local_prefix|config_call)/.test(key)) {
      delete env[key];
    }
  }
  delete env.INIT_CWD;
  if (!('NODE_OPTIONS' in extra)) delete env.NODE_OPTIONS;
  return env;
}

/**
 * Starts a command in a process group of its own, so that `stop()` ends what
 * it started too (npm runs jest as a grandchild); `output()` is what it has
 * printed so far, stdout and stderr interleaved.
 */
export function start(command, args, { cwd, env = {} } = {}) {
  const child = spawn(command, args, {
    cwd,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const chunks = [];
  child.stdout.on('data', (chunk) => chunks.push(chunk));
  child.stderr.on('data', (chunk) => chunks.push(chunk));
  const exited = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? signal));
  });
  const stop = () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  return { exited, stop, output: () => Buffer.concat(chunks).toString('utf8') };
}

/** Runs a command to completion and resolves with its output; rejects with `CommandFailed`. */
export async function run(command, args, { cwd, env, timeoutMs = 300_000 } = {}) {
  const started = start(command, args, { cwd, env });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    started.stop();
  }, timeoutMs);
  const code = await started.exited.finally(() => clearTimeout(timer));
  if (code === 0) return started.output();
  const how = timedOut
    ? `was stopped after ${timeoutMs / 1000} s`
    : typeof code === 'number'
      ? `exited with ${code}`
      : `was killed by ${code}`;
  throw new CommandFailed(`\`${[command, ...args].join(' ')}\` ${how}`, started.output());
}

/** Runs `fn` and returns its result with the seconds it took. */
export async function timed(fn) {
  const startedAt = performance.now();
  const result = await fn();
  return [result, (performance.now() - startedAt) / 1000];
}
