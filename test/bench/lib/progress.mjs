/**
 * What every bench script starts with: when it started, a progress log whose
 * lines carry the time since then (mm:ss), and the positive numbers it reads
 * from the environment.
 */

/** The start of this run, in epoch ms. */
export const started = Date.now();

const clock = () => {
  const seconds = Math.round((Date.now() - started) / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
};

/** Progress on stdout, each line stamped with the time since the start (mm:ss). */
export const log = (text) => process.stdout.write(`[${clock()}] ${text}\n`);

/** A positive number from the environment variable `name`, or `fallback` when unset. */
export const envNumber = (name, fallback) => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!(parsed > 0)) throw new Error(`${name} must be a positive number, got '${value}'`);
  return parsed;
};
