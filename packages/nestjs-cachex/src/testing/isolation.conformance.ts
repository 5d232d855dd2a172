import { describe, expect, it } from './jest-globals.js';
import {
  type ConformanceContext,
  allKeys,
  bodyOf,
  entry,
  expectRefused,
  key,
  present,
  textEntry,
} from './conformance.kit.js';
import { HOSTILE_KEYS } from './entries.conformance.js';

/** `keys()`, and two backends with different `keyPrefix`es on one server. */
export function describeIsolation(ctx: ConformanceContext): void {
  const { capabilities } = ctx;

  describe('keys()', () => {
    if (capabilities.listsKeys) {
      it('lists the logical keys, each of which get() accepts', async () => {
        const backend = ctx.backend();
        await backend.set(key('/k/1'), entry());
        await backend.set(key('/k/2', 'z'), entry());
        await backend.set('custom-key', entry({ path: '/k/3' }));
        const keys = await allKeys(backend);
        expect(keys).toEqual([key('/k/1'), key('/k/2', 'z'), 'custom-key'].sort());
        for (const k of keys) expect(await backend.get(k)).toBeDefined();
        await backend.delete(key('/k/1'));
        expect(await allKeys(backend)).toEqual([key('/k/2', 'z'), 'custom-key'].sort());
      });

      it('lists hostile keys exactly as they were stored', async () => {
        const backend = ctx.backend();
        for (const k of HOSTILE_KEYS) await backend.set(k, entry());
        const keys = await allKeys(backend);
        expect(keys).toEqual([...HOSTILE_KEYS].sort());
        for (const k of keys) expect(await backend.get(k)).toBeDefined();
      });
    } else {
      it('is refused with CacheXUnsupportedError', async () => {
        await ctx.backend().set(key('/k/1'), entry());
        await expectRefused('keys', () => allKeys(ctx.backend()));
      });
    }
  });

  describe('keyPrefix', () => {
    it('keeps two backends on one server apart: get, set, delete', async () => {
      const [backend, neighbour] = [ctx.backend(), ctx.neighbour()];
      await backend.set(key('/shared'), textEntry('mine'));
      await neighbour.set(key('/shared'), textEntry('theirs'));
      expect(await bodyOf(backend, key('/shared'))).toBe('mine');
      expect(await bodyOf(neighbour, key('/shared'))).toBe('theirs');
      expect(await backend.delete(key('/shared'))).toBe(true);
      expect(await bodyOf(neighbour, key('/shared'))).toBe('theirs');
      expect(await neighbour.delete(key('/shared'))).toBe(true);
      expect(await neighbour.delete(key('/shared'))).toBe(false);
    });

    it("clear() and clearPath() never reach another prefix's entries", async () => {
      const [backend, neighbour] = [ctx.backend(), ctx.neighbour()];
      await neighbour.set(key('/c'), entry());
      await neighbour.set(key('/p'), entry());
      await backend.set(key('/c'), entry());
      await backend.set(key('/p'), entry());
      expect(await backend.clearPath('/p')).toBe(ctx.count(1));
      expect(await backend.clearPath('/p', { soft: true })).toBe(ctx.count(0));
      expect(await backend.clear()).toBe(ctx.count(1));
      expect(await backend.get(key('/c'))).toBeUndefined();
      expect(await neighbour.get(key('/c'))).toBeDefined();
      expect(present(await neighbour.get(key('/p'))).invalidated).toBeFalsy();
    });

    if (capabilities.globs) {
      it("clearPattern() never reaches another prefix's entries", async () => {
        await ctx.neighbour().set(key('/g/1'), entry());
        await ctx.backend().set(key('/g/1'), entry());
        expect(await ctx.backend().clearPattern('/g/*')).toBe(ctx.count(1));
        expect(await ctx.neighbour().get(key('/g/1'))).toBeDefined();
      });
    }

    if (capabilities.tags) {
      it("invalidateTags() never reaches another prefix's entries", async () => {
        await ctx.neighbour().set(key('/t'), entry({ tags: ['shared-tag'] }));
        await ctx.backend().set(key('/t'), entry({ tags: ['shared-tag'] }));
        expect(await ctx.backend().invalidateTags(['shared-tag'], { soft: true })).toBe(
          ctx.count(1),
        );
        expect(await ctx.backend().invalidateTags(['shared-tag'])).toBe(ctx.count(1));
        expect(present(await ctx.neighbour().get(key('/t'))).invalidated).toBeFalsy();
      });
    }

    if (capabilities.listsKeys) {
      it("keys() lists no key of another prefix's", async () => {
        await ctx.neighbour().set(key('/theirs'), entry());
        await ctx.backend().set(key('/mine'), entry());
        expect(await allKeys(ctx.backend())).toEqual([key('/mine')]);
        expect(await allKeys(ctx.neighbour())).toEqual([key('/theirs')]);
      });
    }
  });
}
