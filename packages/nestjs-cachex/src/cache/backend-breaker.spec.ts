import fc from 'fast-check';
import { BackendBreaker, type BreakerState } from './backend-breaker.js';

function breaker(failures = 3, openMs = 1000) {
  const clock = { now: 0 };
  const changes: BreakerState[] = [];
  const b = new BackendBreaker({
    failures,
    openMs,
    now: () => clock.now,
    onChange: (state) => changes.push(state),
  });
  return { b, clock, changes };
}

describe('BackendBreaker', () => {
  it('stays closed below the failure count, and a success resets the count', () => {
    const { b, changes } = breaker(3);
    b.failedCall();
    b.failedCall();
    b.succeeded();
    b.failedCall();
    b.failedCall();
    expect(b.allow()).toBe(true);
    expect(b.isOpen).toBe(false);
    expect(changes).toEqual([]);
  });

  it('opens after the failures in a row, skipping every call for openMs', () => {
    const { b, clock, changes } = breaker(3, 1000);
    for (let i = 0; i < 3; i++) b.failedCall();
    expect(changes).toEqual(['open']);
    clock.now = 999;
    expect(b.allow()).toBe(false);
    expect(b.isOpen).toBe(true);
  });

  it('lets one probe through after openMs: its success closes the breaker', () => {
    const { b, clock, changes } = breaker(1, 1000);
    b.failedCall();
    clock.now = 1000;
    expect(b.allow()).toBe(true);
    expect(b.allow()).toBe(false); // only the probe
    b.succeeded();
    expect(b.allow()).toBe(true);
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('opens again for openMs when the probe fails', () => {
    const { b, clock, changes } = breaker(1, 1000);
    b.failedCall();
    clock.now = 1500;
    expect(b.allow()).toBe(true);
    b.failedCall();
    expect(b.allow()).toBe(false);
    clock.now = 2499;
    expect(b.allow()).toBe(false);
    clock.now = 2500;
    expect(b.allow()).toBe(true);
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open']);
  });

  it('reports each state change once, whatever the sequence of calls', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant('ok'), fc.constant('fail'), fc.nat(3000)), {
          maxLength: 200,
        }),
        (steps) => {
          const { b, clock, changes } = breaker(2, 1000);
          for (const step of steps) {
            if (typeof step === 'number') clock.now += step;
            else if (b.allow()) {
              if (step === 'ok') b.succeeded();
              else b.failedCall();
            }
          }
          // No state is reported twice in a row, and a closed breaker always lets calls through.
          for (let i = 1; i < changes.length; i++) expect(changes[i]).not.toBe(changes[i - 1]);
          if (!b.isOpen) expect(b.allow()).toBe(true);
        },
      ),
    );
  });
});
