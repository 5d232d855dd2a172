/**
 * RedisBackend through Redis Sentinel (ioredis's `sentinels` + `name`), on a
 * redis-server and a sentinel this file starts for itself.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type CacheEntry } from 'nestjs-cachex';
import { RedisBackend } from 'nestjs-cachex/redis';
import { backendCase, describeBackend } from '../support/backends.js';
import { eventually } from '../support/time.js';

import * as servers from '../setup/servers.mjs';
import { type ServerHandle } from '../setup/servers.mjs';

const MASTER_NAME = 'cachex-master';

/** Starts a sentinel watching `masterPort`; resolves once it knows the master. */
async function startSentinel(masterPort: number): Promise<ServerHandle> {
  const port = await servers.freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cachex-sentinel-'));
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 1`,
      `sentinel down-after-milliseconds ${MASTER_NAME} 5000`,
    ].join('\n'),
  );
  const child = spawn('redis-server', [config, '--sentinel'], { cwd: dir, stdio: 'ignore' });
  const handle: ServerHandle = {
    port,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => 50 });
  probe.on('error', () => {});
  try {
    await eventually(
      async () => {
        const address = await probe
          .call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)
          .catch(() => null);
        if (!(Array.isArray(address) && Number(address[1]) === masterPort))
          throw new Error('the sentinel did not come up');
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
  } catch (error) {
    await handle.stop();
    throw error;
  } finally {
    probe.disconnect();
  }
  return handle;
}

describeBackend(backendCase('redis'))('RedisBackend with Sentinel', () => {
  let master: ServerHandle;
  let sentinel: ServerHandle;

  beforeAll(async () => {
    master = await servers.startRedis();
    sentinel = await startSentinel(master.port);
  }, 30_000);
  afterAll(async () => {
    await sentinel?.stop();
    await master?.stop();
  });

  it('finds the master through the sentinel and caches there', async () => {
    const backend = new RedisBackend({
      sentinels: [{ host: '127.0.0.1', port: sentinel.port }],
      name: MASTER_NAME,
      keyPrefix: 'sentinel:',
    });
    const stored: CacheEntry = {
      status: 200,
      headers: {},
      body: Buffer.from([0, 255, 1]),
      storedAt: Date.now(),
      maxAge: 60,
    };
    const key = 'GET|||h|||/via-sentinel|||';
    try {
      await backend.set(key, stored);
      expect(Buffer.compare((await backend.get(key))!.body, stored.body)).toBe(0);
      const direct = new Redis({ host: '127.0.0.1', port: master.port });
      expect(await direct.dbsize()).toBe(2); // the entry and its path index, on the master
      await direct.quit();
      expect(await backend.clearPath('/via-sentinel')).toBe(1);
    } finally {
      await backend.close();
    }
  });
});
