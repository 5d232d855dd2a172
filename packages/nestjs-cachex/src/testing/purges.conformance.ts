import { describe, expect, it } from './jest-globals.js';
import {
  type ConformanceContext,
  bodyOf,
  entry,
  expectRefused,
  key,
  present,
  textEntry,
} from './conformance.kit.js';

/** `clear`, `clearPath` (hard and soft), `clearPattern` and `invalidateTags`. */
export function describePurges(ctx: ConformanceContext): void {
  const { capabilities } = ctx;

  describe('clear()', () => {
    it('removes every response-cache entry and counts them', async () => {
      const backend = ctx.backend();
      await backend.set(key('/c/1'), entry());
      await backend.set(key('/c/2', 'q=1'), entry({ tags: ['t'] }));
      await backend.set('custom-key', entry({ path: '/c/3' }));
      expect(await backend.clear()).toBe(ctx.count(3));
      expect(await backend.get(key('/c/1'))).toBeUndefined();
      expect(await backend.get(key('/c/2', 'q=1'))).toBeUndefined();
      expect(await backend.get('custom-key')).toBeUndefined();
      expect(await backend.clear()).toBe(ctx.count(0));
    });

    it('an entry stored after clear() is served', async () => {
      await ctx.backend().set(key('/after'), textEntry('before'));
      await ctx.backend().clear();
      await ctx.backend().set(key('/after'), textEntry('after'));
      const found = present(await ctx.backend().get(key('/after')));
      expect(found.body.toString()).toBe('after');
      expect(found.invalidated).toBeFalsy();
    });
  });

  describe('clearPath()', () => {
    it('removes a path for every method, origin and query, and nothing else', async () => {
      const backend = ctx.backend();
      await backend.set(key('/users/1'), entry());
      await backend.set(key('/users/1', 'page=2'), entry());
      await backend.set(key('/users/1', '', 'HEAD'), entry());
      await backend.set(key('/users/1', '', 'GET', 'https://other.example'), entry());
      await backend.set(key('/users/12'), entry());
      await backend.set(key('/users/1/posts'), entry());
      await backend.set(key('/users'), entry());
      await backend.set(key('/Users/1'), entry());
      expect(await backend.clearPath('/users/1')).toBe(ctx.count(4));
      expect(await backend.get(key('/users/1'))).toBeUndefined();
      expect(await backend.get(key('/users/1', 'page=2'))).toBeUndefined();
      expect(await backend.get(key('/users/1', '', 'HEAD'))).toBeUndefined();
      expect(
        await backend.get(key('/users/1', '', 'GET', 'https://other.example')),
      ).toBeUndefined();
      expect(await backend.get(key('/users/12'))).toBeDefined();
      expect(await backend.get(key('/users/1/posts'))).toBeDefined();
      expect(await backend.get(key('/users'))).toBeDefined();
      expect(await backend.get(key('/Users/1'))).toBeDefined();
      expect(await backend.clearPath('/nothing/here')).toBe(ctx.count(0));
    });

    it('finds an entry stored under a custom key by its entry.path', async () => {
      const backend = ctx.backend();
      await backend.set('product-42', entry({ path: '/products/42', query: '' }));
      await backend.set('product-42?full', entry({ path: '/products/42', query: 'full=1' }));
      await backend.set('product-43', entry({ path: '/products/43', query: '' }));
      expect(await backend.clearPath('/products/42')).toBe(ctx.count(2));
      expect(await backend.get('product-42')).toBeUndefined();
      expect(await backend.get('product-42?full')).toBeUndefined();
      expect(await backend.get('product-43')).toBeDefined();
    });

    if (capabilities.clearPathWithoutQuery) {
      it('with includeQuery: false keeps the entries with a query', async () => {
        const backend = ctx.backend();
        await backend.set(key('/q'), entry());
        await backend.set(key('/q', '', 'HEAD'), entry());
        await backend.set(key('/q', 'x=1'), entry());
        expect(await backend.clearPath('/q', { includeQuery: false })).toBe(ctx.count(2));
        expect(await backend.get(key('/q'))).toBeUndefined();
        expect(await backend.get(key('/q', '', 'HEAD'))).toBeUndefined();
        expect(await backend.get(key('/q', 'x=1'))).toBeDefined();
      });
    } else {
      it('refuses includeQuery: false with CacheXUnsupportedError, and removes nothing', async () => {
        await ctx.backend().set(key('/q'), entry());
        await expectRefused('clearPath', () =>
          ctx.backend().clearPath('/q', { includeQuery: false }),
        );
        expect(await ctx.backend().get(key('/q'))).toBeDefined();
      });
    }

    it('with soft: true marks the entries stale (invalidated) instead of removing them', async () => {
      const backend = ctx.backend();
      await backend.set(key('/soft'), textEntry('kept'));
      await backend.set(key('/soft', 'x=1'), textEntry('kept too'));
      await backend.set(key('/soft/other'), textEntry('untouched'));
      expect(await backend.clearPath('/soft', { soft: true })).toBe(ctx.count(2));
      const marked = present(await backend.get(key('/soft')));
      expect(marked.invalidated).toBe(true);
      expect(marked.body.toString()).toBe('kept');
      expect(present(await backend.get(key('/soft', 'x=1'))).invalidated).toBe(true);
      expect(present(await backend.get(key('/soft/other'))).invalidated).toBeFalsy();
      expect(await backend.clearPath('/soft')).toBe(ctx.count(2));
      expect(await backend.get(key('/soft'))).toBeUndefined();
    });

    it('an entry stored after a purge of its path is served, and fresh', async () => {
      const backend = ctx.backend();
      await backend.set(key('/again'), textEntry('old'));
      await backend.clearPath('/again', { soft: true });
      await backend.set(key('/again'), textEntry('refreshed'));
      const refreshed = present(await backend.get(key('/again')));
      expect(refreshed.body.toString()).toBe('refreshed');
      expect(refreshed.invalidated).toBeFalsy();
      await backend.clearPath('/again');
      await backend.set(key('/again'), textEntry('stored again'));
      expect(await bodyOf(backend, key('/again'))).toBe('stored again');
    });
  });

  describe('clearPattern()', () => {
    if (capabilities.globs) {
      it('removes the paths matching the glob (*, ?, [abc])', async () => {
        const backend = ctx.backend();
        await backend.set(key('/api/v1/users'), entry());
        await backend.set(key('/api/v1/users/7/posts'), entry());
        await backend.set(key('/api/v2/users', 'page=2'), entry());
        await backend.set(key('/api/v3/users'), entry());
        await backend.set(key('/api/v10/users'), entry());
        expect(await backend.clearPattern('/api/v[12]/users*')).toBe(ctx.count(3));
        expect(await backend.get(key('/api/v1/users/7/posts'))).toBeUndefined();
        expect(await backend.get(key('/api/v2/users', 'page=2'))).toBeUndefined();
        expect(await backend.get(key('/api/v3/users'))).toBeDefined();
        expect(await backend.clearPattern('/api/v?/users')).toBe(ctx.count(1));
        expect(await backend.get(key('/api/v10/users'))).toBeDefined();
      });

      it('matches the path part only, and other characters literally', async () => {
        const backend = ctx.backend();
        await backend.set(key('/files/a.b(1)+'), entry());
        await backend.set(key('/files/aXb(1)+'), entry());
        await backend.set(key('/files/a.b(1)'), entry());
        await backend.set(key('/other', 'p=/files/a.b(1)+'), entry());
        expect(await backend.clearPattern('/files/a.b(1)+')).toBe(ctx.count(1));
        expect(await backend.get(key('/files/a.b(1)+'))).toBeUndefined();
        expect(await backend.get(key('/files/aXb(1)+'))).toBeDefined();
        expect(await backend.get(key('/files/a.b(1)'))).toBeDefined();
        expect(await backend.clearPattern('*a.b(1)+')).toBe(ctx.count(0));
        expect(await backend.get(key('/other', 'p=/files/a.b(1)+'))).toBeDefined();
      });
    } else {
      it('is refused with CacheXUnsupportedError, and removes nothing', async () => {
        await ctx.backend().set(key('/api/v1/users'), entry());
        await expectRefused('clearPattern', () => ctx.backend().clearPattern('/api/*'));
        expect(await ctx.backend().get(key('/api/v1/users'))).toBeDefined();
      });
    }
  });

  describe('invalidateTags()', () => {
    if (capabilities.tags) {
      it('removes exactly the tagged entries, or marks them stale', async () => {
        const backend = ctx.backend();
        await backend.set(key('/t/1'), entry({ tags: ['products', 'product:1'] }));
        await backend.set(key('/t/2'), entry({ tags: ['products', 'product:2'] }));
        await backend.set(key('/t/3'), entry({ tags: ['users'] }));
        await backend.set(key('/t/4'), entry());
        expect(await backend.invalidateTags(['product:1'])).toBe(ctx.count(1));
        expect(await backend.get(key('/t/1'))).toBeUndefined();
        expect(await backend.get(key('/t/2'))).toBeDefined();
        expect(await backend.invalidateTags(['products'], { soft: true })).toBe(ctx.count(1));
        expect(present(await backend.get(key('/t/2'))).invalidated).toBe(true);
        expect(present(await backend.get(key('/t/3'))).invalidated).toBeFalsy();
        expect(present(await backend.get(key('/t/4'))).invalidated).toBeFalsy();
      });

      it('counts an entry carrying several of the tags once', async () => {
        const backend = ctx.backend();
        await backend.set(key('/both'), entry({ tags: ['a', 'b'] }));
        await backend.set(key('/a'), entry({ tags: ['a'] }));
        await backend.set(key('/c'), entry({ tags: ['c'] }));
        expect(await backend.invalidateTags(['a', 'b'])).toBe(ctx.count(2));
        expect(await backend.get(key('/both'))).toBeUndefined();
        expect(await backend.get(key('/a'))).toBeUndefined();
        expect(await backend.get(key('/c'))).toBeDefined();
        expect(await backend.invalidateTags(['nobody'])).toBe(ctx.count(0));
      });

      it('an entry stored again after its tag was invalidated is served, and fresh', async () => {
        const backend = ctx.backend();
        await backend.set(key('/tagged'), textEntry('old', { tags: ['t'] }));
        await backend.invalidateTags(['t'], { soft: true });
        await backend.set(key('/tagged'), textEntry('new', { tags: ['t'] }));
        const found = present(await backend.get(key('/tagged')));
        expect(found.body.toString()).toBe('new');
        expect(found.invalidated).toBeFalsy();
      });
    } else {
      it('is refused with CacheXUnsupportedError, and removes nothing', async () => {
        await ctx.backend().set(key('/t'), entry({ tags: ['t'] }));
        await expectRefused('invalidateTags', () => ctx.backend().invalidateTags(['t']));
        await expectRefused('invalidateTags', () =>
          ctx.backend().invalidateTags(['t'], { soft: true }),
        );
        expect(present(await ctx.backend().get(key('/t'))).invalidated).toBeFalsy();
      });
    }
  });
}
