/**
 * Where `CacheXModule` reads the time for everything about an entry's
 * lifetime: its freshness, its stale windows, its `Age`, the `Last-Modified`
 * it is given, how long a path's variants count, how long a key stays
 * hit-for-miss. A DI token and a type in one name, provided by
 * `CacheXModule` as the system clock. Replace it in tests to move time
 * forward instead of waiting; timeouts of backend calls, lock waits and the
 * backend's own expiry keep real time.
 *
 * @example
 * class TestClock extends Clock {
 *   ms = Date.now();
 *   now() { return this.ms; }
 * }
 * const clock = new TestClock();
 * const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
 *   .overrideProvider(Clock)
 *   .useValue(clock)
 *   .compile();
 * clock.ms += 61_000; // a 60-second entry is now stale
 */
export abstract class Clock {
  /** The current time, in milliseconds since the epoch. */
  abstract now(): number;
}

/** The wall clock: `Date.now()`. */
class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}

/** The clock `CacheXModule` provides, and what its classes use when built without one. */
export const systemClock: Clock = new SystemClock();
