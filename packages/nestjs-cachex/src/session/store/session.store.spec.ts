import { type KeyValueStore } from '../../backends/cache-backend.js';
import { MemoryBackend } from '../../backends/memory.backend.js';
import { type Clock } from '../../common/clock.js';
import { SessionData, type SessionRecord } from '../session-data.js';
import { SessionUnavailableError } from '../session.errors.js';
import { SessionStore } from './session.store.js';

/** A clock that stands still until moved. */
function clockAt(ms: number): Clock & { ms: number } {
  const clock = { ms, now: (): number => clock.ms };
  return clock;
}

const OPTIONS = { ttl: 60, absoluteTimeout: undefined, backendTimeoutMs: 1000 };

function sessionOf(id: string, clock: { now(): number }, userId?: string): SessionData {
  const now = clock.now();
  const record: SessionRecord = {
    v: 1,
    id,
    data: {},
    flash: [],
    createdAt: now,
    lastAccessedAt: now,
    expiresAt: now + 60_000,
  };
  if (userId !== undefined) record.user = { id: userId };
  return SessionData.fromRecord(record);
}

describe('SessionStore', () => {
  const setup = () => {
    const clock = clockAt(Date.parse('2026-12-07T00:00:00Z'));
    const store = new SessionStore(new MemoryBackend().namespace('session:'), OPTIONS, clock);
    return { clock, store };
  };
  const id = (n: number) => String(n).padStart(43, 'a');

  it('reads back what it wrote, with the JSON it was stored as', async () => {
    const { clock, store } = setup();
    const session = sessionOf(id(1), clock, 'u1');
    session.data.cart = ['tea'];
    expect(await store.write(session)).toBe(true);
    const found = await store.read(id(1));
    expect(found).not.toBe('unreadable');
    expect(found && found !== 'unreadable' && found.record).toMatchObject({
      id: id(1),
      user: { id: 'u1' },
      data: { cart: ['tea'] },
    });
    expect(await store.read(id(2))).toBeUndefined();
  });

  it('calls a record of another id, or not a record, unreadable', async () => {
    const backend = new MemoryBackend().namespace('session:');
    const store = new SessionStore(backend, OPTIONS, clockAt(0));
    await backend.set(`s:${id(3)}`, JSON.stringify({ v: 1, id: id(4) }));
    await backend.set(`s:${id(5)}`, 'not json');
    expect(await store.read(id(3))).toBe('unreadable');
    expect(await store.read(id(5))).toBe('unreadable');
  });

  it('saves again only what changed, or a last access old enough to persist', async () => {
    const { clock, store } = setup();
    const session = sessionOf(id(6), clock);
    await store.write(session);
    expect(store.needsSave(session)).toBe(false);
    session.lastAccessedAt = clock.now() + 1_000; // a mere access, soon after
    expect(store.needsSave(session)).toBe(false);
    session.lastAccessedAt = clock.now() + 6_000; // ttl × 100 ms later: worth persisting
    expect(store.needsSave(session)).toBe(true);
    session.lastAccessedAt = clock.now();
    (session.data as { n?: number }).n = 1;
    expect(store.needsSave(session)).toBe(true);
  });

  it('never brings back a session removed while a save of it was under way', async () => {
    const { clock, store } = setup();
    const session = sessionOf(id(7), clock, 'u7');
    await store.write(session);
    expect(await store.remove(id(7))).toBe(true);
    session.data.late = true;
    expect(await store.write(session)).toBe(false);
    expect(await store.read(id(7))).toBeUndefined();
    expect(store.needsSave(session)).toBe(false);
  });

  it("keeps a user's index: listed, removed all at once, pruned once expired", async () => {
    const { clock, store } = setup();
    for (const n of [10, 11, 12]) await store.write(sessionOf(id(n), clock, 'ada'));
    await store.write(sessionOf(id(13), clock, 'bob'));
    expect((await store.userSessions('ada')).map((s) => s.id).sort()).toEqual([
      id(10),
      id(11),
      id(12),
    ]);
    expect(await store.removeUserSessions('ada')).toBe(3);
    expect(await store.userSessions('ada')).toEqual([]);
    expect(await store.clearExpired()).toBe(0);
    clock.ms += 61_000; // bob's session is past its expiry (the record still held: grace)
    expect(await store.clearExpired()).toBe(1);
    expect(await store.userSessions('bob')).toEqual([]);
  });

  it('remembers a listed session as stored: unchanged, it is not saved again', async () => {
    const { clock, store } = setup();
    const written = sessionOf(id(14), clock, 'eve');
    written.data.cart = ['tea'];
    written.flash('hello');
    await store.write(written);
    const [listed] = await store.userSessions('eve');
    expect(store.needsSave(listed!)).toBe(false);
    listed!.data.cart = ['tea', 'milk'];
    expect(store.needsSave(listed!)).toBe(true);
  });

  it('turns any backend failure into SessionUnavailableError', async () => {
    const failing = new Proxy({} as KeyValueStore, {
      get: () => () => Promise.reject(new Error('down')),
    });
    const store = new SessionStore(failing, OPTIONS, clockAt(0));
    await expect(store.read(id(20))).rejects.toBeInstanceOf(SessionUnavailableError);
    const throwing = new Proxy({} as KeyValueStore, {
      get: () => () => {
        throw new Error('thrown, not rejected');
      },
    });
    await expect(
      new SessionStore(throwing, OPTIONS, clockAt(0)).read(id(21)),
    ).rejects.toBeInstanceOf(SessionUnavailableError);
  });
});
