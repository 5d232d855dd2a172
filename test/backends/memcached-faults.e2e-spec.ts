/**
 * MemcachedBackend when its server dies, comes back, or stops answering, on a
 * memcached of its own (never the shared ones): every call settles within its
 * bound (none hangs), no error goes unhandled, failures are logged at a
 * limited rate, the same backend instance works again once the server is
 * back — and over HTTP, every request still gets its handler's 200.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Controller, Get, type INestApplication, Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { jest } from '@jest/globals';
import { Cache, type CacheEntry, CacheXModule } from 'nestjs-cachex';
import { MemcachedBackend } from 'nestjs-cachex/memcached';
import request from 'supertest';
import { backendCase, describeBackend } from '../support/backends.js';
import { eventually, sleep } from '../support/time.js';
import { startMemcached, freePort, type ServerHandle } from '../setup/servers.mjs';

/**
 * Sends SIGSTOP and waits until every thread of the server is stopped: a busy
 * memcached may otherwise still answer a request sent right after the signal.
 */
async function pause(server: ServerHandle): Promise<void> {
  server.process.kill('SIGSTOP');
  const tasks = `/proc/${server.process.pid}/task`;
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    try {
      const states = readdirSync(tasks).map(
        (task) => readFileSync(`${tasks}/${task}/stat`, 'utf8').split(') ')[1]?.[0],
      );
      if (states.every((state) => state === 'T')) return;
    } catch {
      await sleep(200); // no /proc here: give the signal time instead
      return;
    }
    await sleep(10);
  }
  throw new Error('memcached did not stop on SIGSTOP');
}

/** Retries after a restart or SIGCONT: the first call may still see the old socket. */
const RETRY = { timeoutMs: 5000, intervalMs: 100 };

const TIMEOUT_MS = 300;
/** How long the backend breaker skips a failed server before probing it again. */
const BREAKER_MS = 1000;
/** Scheduling slack on a loaded 2-core machine; a hang would take far longer. */
const SLACK_MS = 700;

const key = 'GET|||faults.example|||/faults|||';
const entry = (): CacheEntry => ({
  status: 200,
  headers: { 'content-type': 'text/plain' },
  body: Buffer.from('ok'),
  storedAt: Date.now(),
  maxAge: 60,
});

/** Runs `call` and returns how long it took to reject; fails if it resolves. */
async function rejectionTime(call: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await expect(call()).rejects.toBeInstanceOf(Error);
  return Date.now() - started;
}

describeBackend(backendCase('memcached'))('MemcachedBackend when memcached fails', () => {
  let server: ServerHandle;
  let backend: MemcachedBackend;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  let logged: jest.SpiedFunction<Logger['error']>;

  /** Every kind of call the backend takes, each of which needs the server. */
  const everyCall = (): Record<string, () => Promise<unknown>> => {
    const store = backend.namespace('sessions');
    return {
      get: () => backend.get(key),
      set: () => backend.set(key, entry()),
      delete: () => backend.delete(key),
      clear: () => backend.clear(),
      clearPath: () => backend.clearPath('/faults'),
      softClearPath: () => backend.clearPath('/faults', { soft: true }),
      invalidateTags: () => backend.invalidateTags(['t']),
      'namespace.get': () => store.get('k'),
      'namespace.set': () => store.set('k', 'v', 60),
      'namespace.add': () => store.add('lock', 'v', 60),
      'namespace.deleteIfEquals': () => store.deleteIfEquals('lock', 'v'),
      'namespace.setAdd': () => store.setAdd('user:1', 's1', 60),
      'namespace.setMembers': () => store.setMembers('user:1'),
      'namespace.clear': () => store.clear(),
    };
  };

  const expectEveryCallRejectsInTime = async () => {
    for (const [name, call] of Object.entries(everyCall())) {
      const took = await rejectionTime(call);
      expect({ name, inTime: took < TIMEOUT_MS + SLACK_MS }).toEqual({ name, inTime: true });
    }
  };

  const expectWorking = async () => {
    await backend.set(key, entry());
    expect((await backend.get(key))?.body.toString()).toBe('ok');
    await backend.namespace('sessions').setAdd('user:1', 's1', 60);
    expect(await backend.namespace('sessions').setMembers('user:1')).toEqual(['s1']);
  };

  beforeAll(() => process.on('unhandledRejection', onUnhandled));
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  beforeEach(async () => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    server = await startMemcached();
    backend = new MemcachedBackend({
      servers: [`127.0.0.1:${server.port}`],
      timeoutMs: TIMEOUT_MS,
      // Every call reads the generations: each one really needs the server.
      generationCacheMs: 0,
    });
    await expectWorking();
  });

  afterEach(async () => {
    server.process.kill('SIGCONT');
    await backend.close();
    await server.stop();
    logged.mockRestore();
    expect(unhandled).toEqual([]);
  });

  it('rejects every call within the timeout while memcached is down, and logs at a limited rate', async () => {
    await server.stop();
    await expectEveryCallRejectsInTime();

    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => backend.get(key)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    // One line per kind of call at most, not one per failure.
    expect(logged.mock.calls.length).toBeLessThanOrEqual(Object.keys(everyCall()).length);
  });

  it('works again with the same instance once memcached restarts on its port', async () => {
    await server.stop();
    await rejectionTime(() => backend.get(key));
    server = await startMemcached(server.port);
    await eventually(async () => {
      expect(await backend.get(key)).toBeUndefined(); // the new server starts empty
    }, RETRY);
    await expectWorking();
  });

  it('rejects every call within the timeout while memcached is paused (SIGSTOP), and recovers on SIGCONT', async () => {
    await pause(server);
    await expectEveryCallRejectsInTime();
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => backend.get(key)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);

    server.process.kill('SIGCONT');
    await eventually(expectWorking, RETRY);
  });

  it('keeps no socket open for each timeout while memcached is paused', async () => {
    /** Sockets of this process connected to the test server (Node lists its handles). */
    const openSockets = () =>
      (process as unknown as { _getActiveHandles(): Array<{ remotePort?: number }> })
        ._getActiveHandles()
        .filter((handle) => handle.remotePort === server.port).length;
    await pause(server);
    for (let i = 0; i < 5; i++) await rejectionTime(() => backend.get(key));
    await sleep(50);
    expect(openSockets()).toBeLessThanOrEqual(1);
  });

  it('closes promptly while memcached is paused, and refuses calls after close()', async () => {
    await pause(server);
    const started = Date.now();
    const pending = backend.get(key).catch((error: Error) => error);
    await backend.close();
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    // The call made before close() ran, and was bounded by the timeout.
    expect(await pending).toMatchObject({ message: expect.stringMatching(/timed out|within/) });
    await expect(backend.get(key)).rejects.toThrow(/after close/);
  });

  it('starts before memcached does, and connects once it is up', async () => {
    const port = await freePort();
    const early = new MemcachedBackend({ servers: [`127.0.0.1:${port}`], timeoutMs: TIMEOUT_MS });
    let late: ServerHandle | undefined;
    try {
      expect(await rejectionTime(() => early.get(key))).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      late = await startMemcached(port);
      await eventually(async () => {
        await early.set(key, entry());
        expect((await early.get(key))?.body.toString()).toBe('ok');
      }, RETRY);
    } finally {
      await early.close();
      await late?.stop();
    }
  });
});

const runs: Record<string, number> = {};

@Controller()
class ItemController {
  @Cache(60)
  @Get('item')
  item() {
    runs.item = (runs.item ?? 0) + 1;
    return { run: runs.item };
  }
}

describeBackend(backendCase('memcached'))('HTTP requests when memcached fails', () => {
  let server: ServerHandle;
  let app: INestApplication;
  const get = () => request(app.getHttpServer()).get('/item').expect(200);
  const isHit = (res: request.Response) => /hit/.test(String(res.headers['cache-status']));

  beforeEach(async () => {
    delete runs.item;
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    server = await startMemcached();
    const backend = new MemcachedBackend({
      servers: [`127.0.0.1:${server.port}`],
      timeoutMs: TIMEOUT_MS,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheXModule.forRoot({
          backend,
          backendTimeoutMs: TIMEOUT_MS,
          // The breaker probes a returned server this often: well inside RETRY's deadline.
          backendBreakerMs: BREAKER_MS,
        }),
      ],
      controllers: [ItemController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    await get();
    expect(isHit(await get())).toBe(true);
  });

  afterEach(async () => {
    server.process.kill('SIGCONT');
    await app.close(); // closes the backend
    await server.stop();
    jest.restoreAllMocks();
  });

  it("answers every request with the handler's 200 while memcached is stopped, and hits again once it restarts", async () => {
    await server.stop();
    const during = await Promise.all(Array.from({ length: 20 }, () => get()));
    expect(during.every((res) => res.status === 200 && !isHit(res))).toBe(true);
    // The handler answered them: at least once, and at most once each (concurrent
    // misses coalesce in the process while the backend is down).
    expect(runs.item).toBeGreaterThanOrEqual(2);
    expect(runs.item).toBeLessThanOrEqual(21);

    server = await startMemcached(server.port);
    await get(); // a miss: the restarted server starts empty
    await eventually(async () => expect(isHit(await get())).toBe(true), RETRY);
  });

  it('answers within the timeout while memcached is paused (SIGSTOP)', async () => {
    await pause(server);
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      await get();
      // A miss may wait on a read and a write, each bounded.
      expect(Date.now() - started).toBeLessThan(2 * TIMEOUT_MS + SLACK_MS);
    }
    server.process.kill('SIGCONT');
    await eventually(async () => expect(isHit(await get())).toBe(true), RETRY);
  });
});
