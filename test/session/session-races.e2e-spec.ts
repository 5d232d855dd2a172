/**
 * A logout sticks: a renewal or an end-of-request save in flight never
 * brings back a session destroyed meanwhile, whatever the interleaving, on
 * every backend.
 */
import { Test } from '@nestjs/testing';
import { type CacheBackend, CacheXModule } from 'nestjs-cachex';
import { SessionManager, SessionModule, SessionRevokedError } from 'nestjs-cachex/session';
import { backendCases, describeBackend } from '../support/backends.js';
import { sleep } from '../support/time.js';

/** Offsets, in ms, at which the destroy starts after the racing write begins. */
const OFFSETS = [0, 0, 0, 1, 1, 2, 3, 5, 8];

for (const backendCase of backendCases) {
  describeBackend(backendCase)(`A logout sticks on ${backendCase.name}`, () => {
    let backend: CacheBackend;
    let sessions: SessionManager;
    let close: () => Promise<void>;

    beforeAll(async () => {
      backend = backendCase.create({ keyPrefix: `races-${process.pid}-${Date.now()}:` });
      const moduleRef = await Test.createTestingModule({
        imports: [
          CacheXModule.forRoot({ backend }),
          // A threshold of 1: every read renews, so every read races a destroy with a write.
          SessionModule.forRoot({ secret: 'r'.repeat(32), ttl: 3600, slidingThreshold: 1 }),
        ],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      sessions = app.get(SessionManager);
      close = () => app.close();
    });
    afterAll(() => close());

    const isDead = async (token: string) =>
      sessions.get(token).then(
        () => false,
        () => true,
      );

    it('a save of a session loaded before the destroy does not write it back', async () => {
      const { token } = await sessions.create({ id: 'ada' });
      const { session } = await sessions.get(token);
      await sessions.destroy(session.id);
      session.data['cart'] = ['tea'];
      await expect(sessions.update(session)).rejects.toBeInstanceOf(SessionRevokedError);
      expect(await isDead(token)).toBe(true);
    });

    it.each(OFFSETS.map((offset, i) => [offset, i]))(
      'a renewal racing a destroy %d ms later resurrects nothing (run %d)',
      async (offset) => {
        const { session, token } = await sessions.create({ id: 'ada' });
        await Promise.allSettled([
          sessions.get(token),
          sleep(offset).then(() => sessions.destroy(session.id)),
        ]);
        expect(await isDead(token)).toBe(true);
      },
    );

    it.each(OFFSETS.map((offset, i) => [offset, i]))(
      'an update racing a destroy %d ms later resurrects nothing (run %d)',
      async (offset) => {
        const { token } = await sessions.create({ id: 'ada' });
        const { session } = await sessions.get(token);
        session.data['seen'] = offset;
        await Promise.allSettled([
          sessions.update(session),
          sleep(offset).then(() => sessions.destroy(session.id)),
        ]);
        expect(await isDead(token)).toBe(true);
      },
    );
  });
}
