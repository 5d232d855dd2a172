/**
 * RedisBackend when its server fails, on a redis-server this file starts and
 * breaks by itself (never the shared ones): a stopped server, a restarted one,
 * a paused one (SIGSTOP: it accepts connections but never answers), and a
 * server that is not there yet. Calls must reject within the command bound,
 * never hang, and caching must resume without recreating the backend.
 */
import { Redis } from 'ioredis';
import { type CacheEntry } from 'nestjs-cachex';
import { RedisBackend } from 'nestjs-cachex/redis';
import { backendCase, describeBackend } from '../support/backends.js';
import { eventually, sleep } from '../support/time.js';

import * as servers from '../setup/servers.mjs';
import { type ServerHandle } from '../setup/servers.mjs';

const COMMAND_TIMEOUT_MS = 500;
/** Scheduling slack on a busy 2-core machine; a hang would take far longer. */
const MARGIN_MS = 750;
/** Retries a call until it succeeds: the client reconnects by itself. */
const RETRY = { timeoutMs: 10_000, intervalMs: 100 };

const entry = (): CacheEntry => ({
  status: 200,
  headers: {},
  body: Buffer.from('cached'),
  storedAt: Date.now(),
  maxAge: 60,
});
const key = (path: string) => `GET|||h|||${path}|||`;

/** How long a call takes to reject; fails the test if it resolves. */
async function rejectionTime(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await expect(call()).rejects.toThrow();
  return performance.now() - started;
}

describeBackend(backendCase('redis'))('RedisBackend faults', () => {
  let server: ServerHandle;
  let backend: RedisBackend;
  const consoleError = console.error;
  /** What ioredis prints when a client emits 'error' with no listener: there must be none. */
  let unhandledErrorEvents: unknown[][];

  beforeEach(async () => {
    server = await servers.startRedis();
    backend = new RedisBackend({ host: '127.0.0.1', port: server.port, keyPrefix: 'faults:' });
    unhandledErrorEvents = [];
    console.error = (...args: unknown[]) => {
      if (String(args[0]).includes('Unhandled error event')) unhandledErrorEvents.push(args);
      consoleError(...args);
    };
  });
  afterEach(async () => {
    server.process.kill('SIGCONT');
    await backend.close();
    await server.stop();
    console.error = consoleError;
    expect(unhandledErrorEvents).toEqual([]);
  });

  it('rejects quickly while the server is down, and resumes after a restart on its own', async () => {
    await backend.set(key('/a'), entry());
    expect(await backend.get(key('/a'))).toBeDefined();

    await server.stop();
    const store = backend.namespace('data');
    const calls: Array<() => Promise<unknown>> = [
      () => backend.get(key('/a')),
      () => backend.set(key('/b'), entry()),
      () => backend.clearPath('/a'),
      () => backend.clear(),
      () => store.get('x'),
      () => store.add('lock', 'me', 5),
    ];
    for (const call of calls) {
      expect(await rejectionTime(call)).toBeLessThan(COMMAND_TIMEOUT_MS + MARGIN_MS);
    }
    // Many requests at once: none waits behind a dead connection.
    const burst = await Promise.all(
      Array.from({ length: 200 }, () => rejectionTime(() => backend.get(key('/a')))),
    );
    expect(Math.max(...burst)).toBeLessThan(COMMAND_TIMEOUT_MS + MARGIN_MS);

    await sleep(1000);
    expect(await rejectionTime(() => backend.get(key('/a')))).toBeLessThan(
      COMMAND_TIMEOUT_MS + MARGIN_MS,
    );

    server = await servers.startRedis(server.port);
    await eventually(() => backend.set(key('/c'), entry()), RETRY);
    expect((await backend.get(key('/c')))!.body.toString()).toBe('cached');
    expect(await backend.clearPath('/c')).toBe(1);
    expect(await store.add('lock', 'me', 5)).toBe(true);
  });

  it('rejects within the bound when the server accepts but never answers (SIGSTOP)', async () => {
    await backend.set(key('/a'), entry());
    server.process.kill('SIGSTOP');
    try {
      expect(await rejectionTime(() => backend.get(key('/a')))).toBeLessThan(
        COMMAND_TIMEOUT_MS + MARGIN_MS,
      );
      expect(await rejectionTime(() => backend.set(key('/b'), entry()))).toBeLessThan(
        COMMAND_TIMEOUT_MS + MARGIN_MS,
      );
      expect(await rejectionTime(() => backend.clear())).toBeLessThan(
        COMMAND_TIMEOUT_MS + MARGIN_MS,
      );
      const burst = await Promise.all(
        Array.from({ length: 100 }, () => rejectionTime(() => backend.get(key('/a')))),
      );
      expect(Math.max(...burst)).toBeLessThan(COMMAND_TIMEOUT_MS + MARGIN_MS);
    } finally {
      server.process.kill('SIGCONT');
    }
    const found = await eventually(() => backend.get(key('/a')), RETRY);
    expect(found!.body.toString()).toBe('cached');
  });

  it('stays bounded through a long pause, then recovers by itself', async () => {
    await backend.set(key('/a'), entry());
    server.process.kill('SIGSTOP');
    const times: number[] = [];
    try {
      const until = Date.now() + 3000; // past the socket timeout: the client reconnects meanwhile
      while (Date.now() < until) {
        times.push(await rejectionTime(() => backend.get(key('/a'))));
        await sleep(50);
      }
    } finally {
      server.process.kill('SIGCONT');
    }
    expect(Math.max(...times)).toBeLessThan(COMMAND_TIMEOUT_MS + MARGIN_MS);
    expect((await eventually(() => backend.get(key('/a')), RETRY))!.body.toString()).toBe('cached');
  });

  it('bounds the calls made on a client it was given, and leaves that client open', async () => {
    const client = new Redis({ host: '127.0.0.1', port: server.port });
    const shared = new RedisBackend({ client, keyPrefix: 'faults:', commandTimeoutMs: 300 });
    try {
      await shared.set(key('/g'), entry());
      server.process.kill('SIGSTOP');
      expect(await rejectionTime(() => shared.get(key('/g')))).toBeLessThan(300 + MARGIN_MS);
      server.process.kill('SIGCONT');
      expect(await eventually(() => shared.get(key('/g')), RETRY)).toBeDefined();
    } finally {
      server.process.kill('SIGCONT');
      await shared.close();
    }
    expect(await client.ping()).toBe('PONG');
    await client.quit();
  });

  it('starts before its server exists, failing fast, then caches once the server is up', async () => {
    const port = await servers.freePort();
    const early = new RedisBackend({ host: '127.0.0.1', port, keyPrefix: 'faults:' });
    let late: ServerHandle | undefined;
    try {
      expect(await rejectionTime(() => early.get(key('/e')))).toBeLessThan(
        COMMAND_TIMEOUT_MS + MARGIN_MS,
      );
      late = await servers.startRedis(port);
      await eventually(() => early.set(key('/e'), entry()), RETRY);
      expect(await early.get(key('/e'))).toBeDefined();
    } finally {
      await early.close();
      await late?.stop();
    }
  });
});
