/**
 * What RedisBackend costs on the server, counted by Redis itself (INFO
 * commandstats) on servers this file starts for itself, so no other suite's
 * traffic is counted: a hit is one command, and clearPath among 100 000
 * unrelated keys touches only the path's own entries. The figures are printed.
 */
import { Cluster, Redis } from 'ioredis';
import { type CacheEntry } from 'nestjs-cachex';
import { RedisBackend } from 'nestjs-cachex/redis';
import { backendCase, describeBackend } from '../support/backends.js';

import * as servers from '../setup/servers.mjs';
import { type ServerHandle } from '../setup/servers.mjs';

const UNRELATED_KEYS = 100_000;

const entry = (): CacheEntry => ({
  status: 200,
  headers: { 'content-type': 'text/plain' },
  body: Buffer.from('measured'),
  storedAt: Date.now(),
  maxAge: 300,
});
const key = (path: string, query = '', host = 'h:1') => `GET|||${host}|||${path}|||${query}`;

/**
 * Commands the servers executed, from INFO commandstats; INFO itself and
 * CLUSTER (the clients' slot refreshes) are left out.
 */
async function commandsExecuted(nodes: Redis[]): Promise<number> {
  let total = 0;
  for (const node of nodes) {
    for (const line of (await node.info('commandstats')).split('\r\n')) {
      const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
      if (match && !/^(info|cluster)/.test(match[1]!)) total += Number(match[2]);
    }
  }
  return total;
}

/** Reads the servers made from client sockets (INFO stats `total_reads_processed`). */
async function socketReads(nodes: Redis[]): Promise<number> {
  let total = 0;
  for (const node of nodes) {
    total += Number(/total_reads_processed:(\d+)/.exec(await node.info('stats'))?.[1]);
  }
  return total;
}

async function keyCount(nodes: Redis[]): Promise<number> {
  const sizes = await Promise.all(nodes.map((node) => node.dbsize()));
  return sizes.reduce((total, size) => total + size, 0);
}

/** Writes the unrelated keys with pipelines; on a Cluster, one slot per pipeline. */
async function writeUnrelatedKeys(client: Redis | Cluster): Promise<void> {
  const groups = 100;
  for (let group = 0; group < groups; group++) {
    const pipeline = client.pipeline();
    for (let i = group; i < UNRELATED_KEYS; i += groups) {
      pipeline.set(`unrelated:{g${group}}:${i}`, `value-${i}`);
    }
    await pipeline.exec();
  }
}

describeBackend(backendCase('redis'))('RedisBackend measurements', () => {
  describe.each(['single server', 'cluster'])('%s', (topology) => {
    let handles: ServerHandle[];
    let nodes: Redis[];
    let writer: Redis | Cluster;
    let backend: RedisBackend;

    beforeAll(async () => {
      handles =
        topology === 'cluster' ? await servers.startRedisCluster() : [await servers.startRedis()];
      nodes = handles.map((h) => new Redis({ host: '127.0.0.1', port: h.port }));
      const seeds = handles.map((h) => ({ host: '127.0.0.1', port: h.port }));
      writer = topology === 'cluster' ? new Cluster(seeds) : nodes[0]!;
      backend =
        topology === 'cluster'
          ? new RedisBackend({ cluster: { nodes: seeds } })
          : new RedisBackend({ host: '127.0.0.1', port: handles[0]!.port });
    }, 60_000);
    afterAll(async () => {
      await backend.close();
      if (writer instanceof Cluster) await writer.quit();
      await Promise.all(nodes.map((node) => node.quit()));
      await Promise.all(handles.map((h) => h.stop()));
    });

    it('a hit is one Redis command, and so is a miss', async () => {
      await backend.set(key('/one'), entry());
      await backend.get(key('/one'));

      let before = await commandsExecuted(nodes);
      expect(await backend.get(key('/one'))).toBeDefined();
      const hit = (await commandsExecuted(nodes)) - before;

      before = await commandsExecuted(nodes);
      expect(await backend.get(key('/none'))).toBeUndefined();
      const miss = (await commandsExecuted(nodes)) - before;

      before = await commandsExecuted(nodes);
      await backend.set(key('/one', 'q=1'), { ...entry(), tags: ['a'] });
      const set = (await commandsExecuted(nodes)) - before;

      console.log(
        `[RedisBackend, ${topology}] commands per call: hit ${hit}, miss ${miss}, set with a tag ${set}`,
      );
      expect(hit).toBe(1);
      expect(miss).toBe(1);
    });

    it('gets asked together share one round trip, and each gets its own entry', async () => {
      const paths = Array.from({ length: 30 }, (_, i) => `/together/${i}`);
      for (const path of paths) {
        await backend.set(key(path), { ...entry(), body: Buffer.from(path) });
      }
      const onePath = Array.from({ length: 20 }, (_, i) => key('/together/0', `page=${i}`));
      for (const k of onePath) await backend.set(k, { ...entry(), body: Buffer.from(k) });

      // Reads the servers made from their sockets: one per batch of commands that arrived together.
      const before = await socketReads(nodes);
      const found = await Promise.all(onePath.map((k) => backend.get(k)));
      const reads = (await socketReads(nodes)) - before;
      expect(found.map((e) => e?.body.toString())).toEqual(onePath);
      // The 20 GETs in one read, plus the INFO on each node that counts them; one write
      // per GET would make it 20 + nodes.
      expect(reads).toBeLessThanOrEqual(nodes.length + 2);

      const mixed = await Promise.all([...paths, '/absent'].map((path) => backend.get(key(path))));
      expect(mixed.map((e) => e?.body.toString())).toEqual([...paths, undefined]);
      console.log(
        `[RedisBackend, ${topology}] 20 gets at once: ${reads} socket reads on the server`,
      );
    });

    it(`clearPath among ${UNRELATED_KEYS} unrelated keys touches only the path's 10 entries`, async () => {
      await writeUnrelatedKeys(writer);
      for (let i = 0; i < 200; i++) await backend.set(key(`/neighbour/${i}`, `i=${i}`), entry());
      const measured = Array.from({ length: 10 }, (_, i) =>
        key('/measured', i % 2 ? `page=${i}` : '', `host-${i}:80`),
      );
      for (const k of measured) await backend.set(k, entry());
      const keysBefore = await keyCount(nodes);
      expect(keysBefore).toBeGreaterThan(UNRELATED_KEYS);

      const commandsBefore = await commandsExecuted(nodes);
      const started = performance.now();
      const removed = await backend.clearPath('/measured');
      const elapsedMs = performance.now() - started;
      const commands = (await commandsExecuted(nodes)) - commandsBefore;

      expect(removed).toBe(10);
      for (const k of measured) expect(await backend.get(k)).toBeUndefined();
      // The 10 entries and the path's two (now empty) indexes are gone; nothing else.
      expect(await keyCount(nodes)).toBe(keysBefore - 12);
      expect(await writer.get('unrelated:{g7}:7')).toBe('value-7');
      expect(await writer.get(`unrelated:{g99}:${UNRELATED_KEYS - 1}`)).toBe(
        `value-${UNRELATED_KEYS - 1}`,
      );
      expect(await backend.get(key('/neighbour/150', 'i=150'))).toBeDefined();
      expect(commands).toBeLessThanOrEqual(6);

      // For contrast: clearPattern has to SCAN the whole key space.
      for (const k of measured) await backend.set(k.replace('/measured', '/scanned'), entry());
      const scanStarted = performance.now();
      expect(await backend.clearPattern('/scanned*')).toBe(10);
      const scanMs = performance.now() - scanStarted;

      console.log(
        `[RedisBackend, ${topology}] clearPath('/measured') among ${keysBefore} keys: ` +
          `removed ${removed} entries in ${elapsedMs.toFixed(1)} ms with ${commands} Redis commands; ` +
          `the SCAN-based clearPattern('/scanned*') took ${scanMs.toFixed(1)} ms`,
      );
    }, 120_000);
  });
});
