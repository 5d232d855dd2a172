import { MemoryBackend } from '../backends/memory.backend.js';
import { type Clock } from '../common/clock.js';
import { resolveSessionOptions, type SessionModuleOptions } from './session-options.js';
import { SessionManager } from './session.manager.js';

const SECRET = 'a-unit-test-secret-of-at-least-32-characters';

/** A manager on a MemoryBackend and a clock that moves only when told. */
async function managerWith(options: Partial<SessionModuleOptions> = {}) {
  const clock = { ms: Date.parse('2026-12-07T00:00:00Z'), now: () => clock.ms };
  const manager = new SessionManager(
    resolveSessionOptions({ secret: SECRET, backend: new MemoryBackend(), ...options }),
    clock satisfies Clock,
  );
  await manager.onModuleInit();
  return { clock, manager };
}

describe('SessionManager', () => {
  it('creates a session that its token loads, and that destroy ends', async () => {
    const { manager } = await managerWith();
    const { session, token } = await manager.create({ id: 'ada', roles: ['admin'] });
    const loaded = await manager.get(token);
    expect(loaded.session).toMatchObject({ id: session.id, user: { id: 'ada', roles: ['admin'] } });
    expect(loaded.token).toBeUndefined(); // fresh: nothing to renew
    expect(await manager.destroy(session.id)).toBe(true);
    await expect(manager.get(token)).rejects.toMatchObject({ code: 'SESSION_REVOKED' });
  });

  it('renews past the sliding threshold, and expires what is not renewed', async () => {
    const { clock, manager } = await managerWith({ ttl: 100, slidingThreshold: 0.5 });
    const used = await manager.create({ id: 'u' });
    const idle = await manager.create({ id: 'u' });
    clock.ms += 40_000; // 60 s left: above half the ttl, no renewal
    expect((await manager.get(used.token)).token).toBeUndefined();
    clock.ms += 20_000; // 40 s left: renewed for a whole ttl from now
    const renewed = await manager.get(used.token);
    expect(renewed.token).toBeDefined();
    expect(renewed.session.expiresAt).toBe(clock.ms + 100_000);
    clock.ms += 41_000;
    await expect(manager.get(idle.token)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    await expect(manager.get(renewed.token!)).resolves.toMatchObject({
      session: { id: used.session.id },
    });
  });

  it('stops at the absolute timeout, however often the session is used', async () => {
    const { clock, manager } = await managerWith({
      ttl: 100,
      slidingThreshold: 1,
      absoluteTimeout: 150,
    });
    let { token } = await manager.create({ id: 'u' });
    for (let i = 0; i < 2; i++) {
      clock.ms += 60_000;
      token = (await manager.get(token)).token ?? token;
    }
    clock.ms += 30_000; // 150 s after creation
    await expect(manager.get(token)).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
  });

  it('regenerates under a new id, the old one revoked, the data kept', async () => {
    const { manager } = await managerWith();
    const { session, token } = await manager.create({ id: 'u' });
    session.data.cart = ['tea'];
    await manager.update(session);
    const next = await manager.regenerate(session);
    expect(next.session.id).not.toBe(session.id);
    expect((await manager.get(next.token)).session.data).toEqual({ cart: ['tea'] });
    await expect(manager.get(token)).rejects.toMatchObject({ code: 'SESSION_REVOKED' });
  });

  it('refuses a session used from another address or browser than it is bound to', async () => {
    const { manager } = await managerWith({ ipBinding: true, userAgentBinding: true });
    const { token } = await manager.create({ id: 'u' }, { ip: '10.0.0.1', userAgent: 'A' });
    await expect(manager.get(token, { ip: '10.0.0.1', userAgent: 'A' })).resolves.toBeDefined();
    await expect(manager.get(token, { ip: '10.0.0.2', userAgent: 'A' })).rejects.toMatchObject({
      code: 'SESSION_BINDING_MISMATCH',
    });
    await expect(manager.get(token, { ip: '10.0.0.1', userAgent: 'B' })).rejects.toMatchObject({
      code: 'SESSION_BINDING_MISMATCH',
    });
  });

  it("ends every session of one user, and only that user's", async () => {
    const { manager } = await managerWith();
    const ada = await Promise.all([1, 2, 3].map(() => manager.create({ id: 'ada' })));
    const bob = await manager.create({ id: 'bob' });
    expect(await manager.destroyUserSessions('ada')).toBe(3);
    for (const { token } of ada) {
      await expect(manager.get(token)).rejects.toMatchObject({ code: 'SESSION_REVOKED' });
    }
    await expect(manager.get(bob.token)).resolves.toBeDefined();
  });
});
