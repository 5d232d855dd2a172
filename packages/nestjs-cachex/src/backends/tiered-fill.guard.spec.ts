import { TieredFillGuard } from './tiered-fill.guard.js';

describe('TieredFillGuard', () => {
  it('keeps a read when nothing happened since its mark', () => {
    const guard = new TieredFillGuard();
    guard.dropped('a');
    expect(guard.mayKeep('a', guard.mark())).toBe(true);
  });

  it('refuses a read of a key dropped since its mark, and only of that key', () => {
    const guard = new TieredFillGuard();
    const mark = guard.mark();
    guard.dropped('a');
    expect(guard.mayKeep('a', mark)).toBe(false);
    expect(guard.mayKeep('b', mark)).toBe(true);
  });

  it('refuses every read under way when every key may have changed', () => {
    const guard = new TieredFillGuard();
    const mark = guard.mark();
    guard.droppedEvery();
    expect(guard.mayKeep('a', mark)).toBe(false);
    expect(guard.mayKeep('a', guard.mark())).toBe(true);
  });

  it('counts a forgotten drop as a drop of every key', () => {
    const guard = new TieredFillGuard();
    const mark = guard.mark();
    for (let i = 0; i <= 10_000; i++) guard.dropped(`k${i}`);
    expect(guard.mayKeep('k0', mark)).toBe(false);
    expect(guard.mayKeep('never-dropped', mark)).toBe(false);
  });
});
