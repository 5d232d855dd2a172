/**
 * Starts real redis-server and memcached processes on free loopback ports for
 * the tests and benchmarks, and stops them. Never the default ports, never mocks.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A server process the tests own; `stop()` kills it and removes its working directory.
 * @typedef {{ port: number, process: import('node:child_process').ChildProcess, stop(): Promise<void> }} ServerHandle
 */

/**
 * Whether a binary is on the PATH.
 * @param {string} name
 * @returns {Promise<boolean>}
 */
export async function hasBinary(name) {
  try {
    await run('sh', ['-c', `command -v ${name}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * A port the OS says is free on 127.0.0.1.
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * @param {number} port
 * @param {import('node:child_process').ChildProcess} child
 * @returns {Promise<void>}
 */
function waitForPort(port, child, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) {
        reject(new Error(`${child.spawnfile} exited with ${child.exitCode} before listening`));
        return;
      }
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * @param {string} command
 * @param {(port: number, dir: string) => string[]} args
 * @param {number} [port]
 * @returns {Promise<ServerHandle>}
 */
async function startProcess(command, args, port) {
  const chosen = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), `cachex-${command}-`));
  const child = spawn(command, args(chosen, dir), { cwd: dir, stdio: 'ignore' });
  await waitForPort(chosen, child);
  return {
    port: chosen,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGCONT');
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A standalone redis-server with no persistence. Pass `port` to restart one on its old port. */
/**
 * @param {number} [port]
 * @returns {Promise<ServerHandle>}
 */
export function startRedis(port) {
  return startProcess(
    'redis-server',
    (p) => ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    port,
  );
}

/** A memcached with its default 1 MB item size limit. Pass `port` to restart one on its old port. */
/**
 * @param {number} [port]
 * @returns {Promise<ServerHandle>}
 */
export function startMemcached(port) {
  return startProcess(
    'memcached',
    (p) => ['-p', String(p), '-l', '127.0.0.1', '-U', '0', '-m', '64', '-u', 'root'],
    port,
  );
}

/** Three redis-server masters joined into one cluster. */
/** @returns {Promise<ServerHandle[]>} */
export async function startRedisCluster() {
  /** @type {ServerHandle[]} */
  const nodes = [];
  for (let i = 0; i < 3; i++) {
    nodes.push(
      await startProcess('redis-server', (p) => [
        '--port',
        String(p),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        '2000',
      ]),
    );
  }
  await run('redis-cli', [
    '--cluster',
    'create',
    ...nodes.map((n) => `127.0.0.1:${n.port}`),
    '--cluster-yes',
  ]);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const states = await Promise.all(
      nodes.map((n) => run('redis-cli', ['-p', String(n.port), 'cluster', 'info'])),
    );
    if (states.every((s) => s.stdout.includes('cluster_state:ok'))) break;
    if (Date.now() > deadline) throw new Error('the Redis cluster did not reach cluster_state:ok');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return nodes;
}
