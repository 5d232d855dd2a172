import { describe, expect, it } from './jest-globals.js';
import { type ConformanceContext, entry, expectRefused, key, sleep } from './conformance.kit.js';

/** `namespace(name)`: the key-value stores of `CacheManager`, sessions and locks. */
export function describeNamespaces(ctx: ConformanceContext): void {
  const { capabilities } = ctx;

  describe('namespace()', () => {
    if (!capabilities.namespaces) {
      it('is refused with CacheXUnsupportedError', async () => {
        await expectRefused('namespace', () => ctx.backend().namespace('session'));
      });
      return;
    }

    it('clear() of the response cache never touches namespaces (no one is logged out)', async () => {
      const sessions = ctx.namespace('session');
      await sessions.set('s1', 'alive', 60);
      await ctx.backend().set(key('/c'), entry());
      await ctx.backend().clear();
      await ctx.backend().clearPath('/c');
      expect(await ctx.backend().get(key('/c'))).toBeUndefined();
      expect(await sessions.get('s1')).toBe('alive');
    });

    it('keeps namespace values apart from response entries, both ways', async () => {
      const store = ctx.namespace('conformance-apart');
      await store.set(key('/n'), 'value', 60);
      expect(await ctx.backend().get(key('/n'))).toBeUndefined();
      await ctx.backend().set(key('/n'), entry());
      await ctx.backend().delete(key('/n'));
      expect(await store.get(key('/n'))).toBe('value');
      await ctx.backend().set(key('/n'), entry());
      await store.clear();
      expect(await ctx.backend().get(key('/n'))).toBeDefined();
    });

    it('are key-value stores of their own', async () => {
      const store = ctx.namespace('conformance');
      const other = ctx.namespace('conformance-2');
      await store.set('a', 'one', 60);
      await other.set('a', 'two', 60);
      expect(await store.get('a')).toBe('one');
      expect(await other.get('a')).toBe('two');
      expect(await store.get('missing')).toBeUndefined();
      await store.set('a', 'uno', 60);
      expect(await store.get('a')).toBe('uno');
      expect(await store.add('a', 'three', 60)).toBe(false);
      expect(await store.add('b', 'three', 60)).toBe(true);
      expect(await store.deleteIfEquals('b', 'wrong')).toBe(false);
      expect(await store.deleteIfEquals('b', 'three')).toBe(true);
      expect(await store.get('b')).toBeUndefined();
      expect(await store.delete('a')).toBe(true);
      expect(await store.delete('a')).toBe(false);
      expect(await other.get('a')).toBe('two');
    });

    it('replace a value only while its key exists', async () => {
      const store = ctx.namespace('conformance-replace');
      expect(await store.replace('r', 'ghost', 60)).toBe(false);
      expect(await store.get('r')).toBeUndefined();
      await store.set('r', 'one', 60);
      expect(await store.replace('r', 'two', 60)).toBe(true);
      expect(await store.get('r')).toBe('two');
      await store.delete('r');
      expect(await store.replace('r', 'back', 60)).toBe(false);
      expect(await store.get('r')).toBeUndefined();
    });

    it('keep sets whose concurrent adds all land', async () => {
      const store = ctx.namespace('conformance-sets');
      const members = Array.from({ length: 20 }, (_, i) => `m${i}`);
      await Promise.all(members.map((member) => store.setAdd('set', member, 60)));
      expect((await store.setMembers('set')).sort()).toEqual([...members].sort());
      await store.setRemove('set', 'm3');
      expect(await store.setMembers('set')).not.toContain('m3');
      expect(await store.setMembers('set')).toHaveLength(19);
      expect(await store.setMembers('nothing')).toEqual([]);
    });

    it('clear() empties one namespace only, and counts its keys', async () => {
      const store = ctx.namespace('conformance-clear');
      const other = ctx.namespace('conformance-clear-2');
      await store.set('x', '1');
      await store.set('y', '2', 60);
      await store.add('z', '3', 60);
      await other.set('x', 'kept', 60);
      expect(await store.clear()).toBe(ctx.count(3));
      expect(await store.get('x')).toBeUndefined();
      expect(await store.get('z')).toBeUndefined();
      expect(await other.get('x')).toBe('kept');
      await store.set('x', 'again', 60);
      expect(await store.get('x')).toBe('again');
    });

    if (capabilities.globs) {
      it('clearPattern() removes the matching keys of one namespace', async () => {
        const store = ctx.namespace('conformance-glob');
        const other = ctx.namespace('conformance-glob-2');
        await store.set('p:1', 'x');
        await store.set('p:2', 'x');
        await store.set('q:1', 'x');
        await other.set('p:1', 'x');
        expect(await store.clearPattern('p:*')).toBe(ctx.count(2));
        expect(await store.get('p:1')).toBeUndefined();
        expect(await store.get('q:1')).toBe('x');
        expect(await other.get('p:1')).toBe('x');
      });
    } else {
      it('clearPattern() is refused with CacheXUnsupportedError, and removes nothing', async () => {
        const store = ctx.namespace('conformance-glob');
        await store.set('p:1', 'x', 60);
        await expectRefused('clearPattern', () => store.clearPattern('p:*'));
        expect(await store.get('p:1')).toBe('x');
      });
    }

    it('expire values and locks after their ttl', async () => {
      const store = ctx.namespace('conformance-ttl');
      await store.set('short', 'v', 1);
      expect(await store.add('lock', 'owner', 1)).toBe(true);
      expect(await store.add('lock', 'rival', 1)).toBe(false);
      await sleep(2100);
      expect(await store.get('short')).toBeUndefined();
      expect(await store.add('lock', 'next', 1)).toBe(true);
      expect(await store.get('lock')).toBe('next');
    });
  });
}
