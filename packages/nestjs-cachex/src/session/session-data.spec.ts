import { contentOf, parseRecord, SessionData, toRecord } from './session-data.js';

const record = () => ({
  v: 1 as const,
  id: 'i'.repeat(43),
  data: { a: 1 },
  flash: [],
  createdAt: 1000,
  lastAccessedAt: 1000,
  expiresAt: 2000,
});

describe('SessionData', () => {
  it('queues flash messages and returns them once, oldest first', () => {
    const session = SessionData.fromRecord(record());
    session.flash('saved');
    session.flash('careful', 'warning');
    expect(session.consumeFlash()).toEqual([
      { message: 'saved', category: 'info', at: expect.any(Number) },
      { message: 'careful', category: 'warning', at: expect.any(Number) },
    ]);
    expect(session.consumeFlash()).toEqual([]);
  });

  it('shows only its public fields as JSON', () => {
    const session = SessionData.fromRecord({
      ...record(),
      user: { id: 'u' },
      ip: '10.0.0.1',
      userAgent: 'ua',
    });
    session.flash('hidden');
    expect(JSON.parse(JSON.stringify(session))).toEqual({
      id: 'i'.repeat(43),
      user: { id: 'u' },
      data: { a: 1 },
      createdAt: 1000,
      lastAccessedAt: 1000,
      expiresAt: 2000,
    });
    expect(session.anonymous).toBe(false);
    expect(session.ip).toBe('10.0.0.1');
  });

  it('counts data, user and flash as changes, but not the last access time', () => {
    const session = SessionData.fromRecord(record());
    const saved = session.lastAccessedAt;
    const before = contentOf(session, saved);
    session.lastAccessedAt = 5000;
    expect(contentOf(session, saved)).toBe(before);
    session.data.b = 2;
    expect(contentOf(session, saved)).not.toBe(before);

    const flashed = SessionData.fromRecord(record());
    flashed.flash('x');
    expect(contentOf(flashed, saved)).not.toBe(before);
  });

  it('gives back, for an unchanged session, exactly the JSON it was loaded from', () => {
    const original = SessionData.fromRecord({
      ...record(),
      user: { id: 'u', roles: ['a'] },
      ip: '10.0.0.1',
    });
    original.data.cart = [{ sku: 'x', qty: 2 }];
    original.flash('m');
    const stored = JSON.stringify(original[toRecord]());
    const loaded = SessionData.fromRecord(parseRecord(stored)!);
    const saved = loaded.lastAccessedAt;
    loaded.lastAccessedAt += 10_000;
    expect(contentOf(loaded, saved)).toBe(stored);
    (loaded.data.cart as { qty: number }[])[0]!.qty = 3;
    expect(contentOf(loaded, saved)).not.toBe(stored);
  });

  it('round-trips through its stored record', () => {
    const session = SessionData.fromRecord({ ...record(), user: { id: 'u', roles: ['a'] } });
    session.flash('m');
    const again = SessionData.fromRecord(parseRecord(JSON.stringify(session[toRecord]()))!);
    expect(again.user).toEqual({ id: 'u', roles: ['a'] });
    expect(again.consumeFlash()).toHaveLength(1);
  });
});

describe('parseRecord', () => {
  it('refuses what is not a session record', () => {
    expect(parseRecord('not json')).toBeUndefined();
    expect(parseRecord('null')).toBeUndefined();
    expect(parseRecord('{"v":2}')).toBeUndefined();
    expect(parseRecord(JSON.stringify({ ...record(), createdAt: 'x' }))).toBeUndefined();
  });

  it('repairs missing data and flash', () => {
    const bare: Partial<ReturnType<typeof record>> = record();
    delete bare.data;
    delete bare.flash;
    expect(parseRecord(JSON.stringify(bare))).toMatchObject({ data: {}, flash: [] });
  });
});
