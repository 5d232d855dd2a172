/**
 * The cost of destroyUserSessions grows with that user's sessions, not with
 * all sessions: with 100 000 other sessions present (MemoryBackend), it makes
 * exactly the store calls it makes with none (its time is printed, not judged).
 */
import { type INestApplication } from '@nestjs/common';
import { MemoryBackend } from 'nestjs-cachex';
import { type SessionManager } from 'nestjs-cachex/session';

import { CountingBackend, makeSessionApp, managerOf, SECRET } from './session-app.js';

const OTHER_SESSIONS = 100_000;
const OTHER_USERS = 10_000;
const MINE = 5;

/**
 * `rounds` destroyUserSessions calls, each on `MINE` fresh sessions of one
 * user: their median time, and the store calls each made (the same every round).
 */
async function measureDestroy(
  sessions: SessionManager,
  backend: CountingBackend,
  userId: string,
  rounds = 5,
): Promise<{ medianMs: number; calls: number }> {
  const times: number[] = [];
  const calls = new Set<number>();
  for (let round = 0; round < rounds; round++) {
    await Promise.all(Array.from({ length: MINE }, () => sessions.create({ id: userId })));
    const callsBefore = backend.total();
    const started = process.hrtime.bigint();
    const count = await sessions.destroyUserSessions(userId);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    calls.add(backend.total() - callsBefore);
    expect(count).toBe(MINE);
  }
  expect(calls.size).toBe(1);
  return { medianMs: times.sort((a, b) => a - b)[Math.floor(rounds / 2)]!, calls: [...calls][0]! };
}

describe('destroyUserSessions at scale', () => {
  let app: INestApplication;
  let sessions: SessionManager;
  // Room for every session and index: the default bound (10 000) would evict them.
  // Sessions live in its namespace stores, where it counts the calls.
  const backend = new CountingBackend(
    new MemoryBackend({ maxEntries: 500_000, maxBytes: 1024 ** 3 }),
  );

  beforeAll(async () => {
    app = await makeSessionApp({ secret: SECRET, backend });
    sessions = managerOf(app);
  });
  afterAll(() => app.close());

  it(`ends ${MINE} sessions of one user in time independent of ${OTHER_SESSIONS} other sessions`, async () => {
    // Baseline: the same work with almost nothing else stored (after a warm-up).
    await measureDestroy(sessions, backend, 'warm-up');
    const baseline = await measureDestroy(sessions, backend, 'baseline');

    const fillStarted = Date.now();
    // Real sessions of real users (records and per-user indexes), made by the manager itself.
    for (let batch = 0; batch < OTHER_SESSIONS; batch += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          sessions.create({ id: `other-${(batch + i) % OTHER_USERS}` }),
        ),
      );
    }
    const fillMs = Date.now() - fillStarted;
    const measured = await measureDestroy(sessions, backend, 'target');
    const mine = await Promise.all(
      Array.from({ length: MINE }, () => sessions.create({ id: 'target' })),
    );
    expect(await sessions.destroyUserSessions('target')).toBe(MINE);
    for (const { token } of mine) {
      await expect(sessions.get(token)).rejects.toMatchObject({ code: 'SESSION_REVOKED' });
    }
    // Other users keep every session.
    expect(await sessions.listUserSessions('other-0')).toHaveLength(OTHER_SESSIONS / OTHER_USERS);
    expect(await sessions.listUserSessions(`other-${OTHER_USERS - 1}`)).toHaveLength(
      OTHER_SESSIONS / OTHER_USERS,
    );

    console.log(
      `destroyUserSessions: ${MINE} sessions of one user ended in ${measured.medianMs.toFixed(3)} ms ` +
        `(median of 5) with ${OTHER_SESSIONS} other sessions (${OTHER_USERS} users) present; ` +
        `${baseline.medianMs.toFixed(3)} ms with none present (filling took ${fillMs} ms)`,
    );
    // The same store calls with 100 000 other sessions as with none: nothing scans them.
    expect(measured.calls).toBe(baseline.calls);
  }, 120_000);
});
