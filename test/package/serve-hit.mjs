/**
 * Starts a built app as its users do (`node dist/main.js`, port from PORT) and
 * proves over HTTP that its `@Cache()` route answers a miss, then a hit that
 * did not run the handler (the body still counts one run).
 */
import { createServer, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { start } from './run.mjs';

const startupTimeoutMs = 20_000;

export async function serveHit(appDir, route = '/cached') {
  const port = await freePort();
  const server = start('node', ['dist/main.js'], { cwd: appDir, env: { PORT: String(port) } });
  let exitCode;
  server.exited.then((code) => (exitCode = code));
  try {
    await waitForPort(port, () => {
      if (exitCode !== undefined) {
        throw new Error(`node dist/main.js exited with ${exitCode} before listening`);
      }
    });
    const url = `http://localhost:${port}${route}`;
    const miss = await get(url);
    const hit = await get(url);
    const expected = JSON.stringify({ runs: 1 });
    if (
      miss.status !== 'cachex; fwd=miss; stored' ||
      !/^cachex; hit/.test(hit.status ?? '') ||
      miss.body !== expected ||
      hit.body !== expected
    ) {
      throw new Error(
        `GET ${route} twice: expected a miss then a hit, both ${expected}; got ` +
          `${JSON.stringify(miss)} then ${JSON.stringify(hit)}`,
      );
    }
    return `${miss.status} then ${hit.status}`;
  } catch (error) {
    error.output = server.output();
    throw error;
  } finally {
    server.stop();
  }
}

async function get(url) {
  const response = await fetch(url);
  return { status: response.headers.get('cache-status'), body: await response.text() };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, assertRunning) {
  const deadline = Date.now() + startupTimeoutMs;
  while (Date.now() < deadline) {
    assertRunning();
    const open = await new Promise((resolve) => {
      const socket = connect({ port, host: 'localhost' });
      socket.once('connect', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`nothing listened on port ${port} within ${startupTimeoutMs / 1000} s`);
}
