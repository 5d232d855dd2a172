/**
 * One line per check: `✓ name: what it proved` or `✗ name: what failed`,
 * followed on failure by the output of whatever failed (its last lines).
 */
const maxOutputLines = 200;

export function createReport() {
  let failures = 0;
  return {
    pass(line) {
      console.log(`✓ ${line}`);
    },
    fail(line, output = '') {
      failures++;
      const lines = output.trimEnd().split('\n');
      const shown = lines.length > maxOutputLines ? lines.slice(-maxOutputLines) : lines;
      console.error(`✗ ${line}`);
      if (lines.length > maxOutputLines)
        console.error(`    … (${lines.length - maxOutputLines} lines above)`);
      if (output.trim()) console.error(shown.map((text) => `    ${text}`).join('\n'));
    },
    get failed() {
      return failures > 0;
    },
  };
}

/** Throws, listing them, when there are problems; otherwise returns the summary. */
export function expectNone(problems, summary) {
  if (problems.length === 0) return summary;
  throw Object.assign(new Error(`${problems.length} problem(s)`), { output: problems.join('\n') });
}

/** `1.2 s`, `43 s`. */
export const seconds = (value) => (value < 10 ? `${value.toFixed(1)} s` : `${Math.round(value)} s`);
