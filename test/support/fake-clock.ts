/**
 * The test kit's one fake clock: replaces CacheXModule's `Clock`, so a suite
 * moves entry time forward (freshness, stale windows, Age, Last-Modified,
 * hit-for-miss) instead of sleeping. The backend still expires entries on
 * real time: with a fake clock, give routes lifetimes longer than the test.
 */
import { Clock } from 'nestjs-cachex';

/** A clock that stands still until told to move. */
export class FakeClock extends Clock {
  constructor(private ms: number) {
    super();
  }

  now(): number {
    return this.ms;
  }

  /** Moves the clock `ms` milliseconds forward. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance(${ms}): time only moves forward`);
    this.ms += ms;
  }
}

/**
 * A fake clock reading `startMs`; by default the wall clock's time now, so
 * stored times and `Last-Modified` dates stay close to real ones. Give it to
 * `makeCacheApp` (option `clock`), or to a testing module with
 * `.overrideProvider(Clock).useValue(clock)`.
 */
export function fakeClock(startMs = Date.now()): FakeClock {
  return new FakeClock(startMs);
}
