import { type Logger } from '@nestjs/common';

/** Where the breaker stands: calls go through, are skipped, or one probe decides. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Options of a `BackendBreaker`. */
export interface BackendBreakerOptions {
  /** Consecutive failures (errors or timeouts) that open it. */
  failures: number;
  /** How long it stays open before one probe call may go through, in ms. */
  openMs: number;
  /** Told each state change, once. */
  onChange(state: BreakerState, reason: string): void;
  /** The clock (injectable for tests). */
  now?: () => number;
}

/**
 * An `onChange` that logs each change on `logger` as `<label> breaker
 * <state>: <reason>`: a close as a log, an opening or a probe as a warning.
 */
export function logBreakerChanges(
  logger: Pick<Logger, 'log' | 'warn'>,
  label: string,
): BackendBreakerOptions['onChange'] {
  return (state, reason) => {
    const message = `${label} breaker ${state}: ${reason}`;
    if (state === 'closed') logger.log(message);
    else logger.warn(message);
  };
}

/**
 * A circuit breaker for the backend: after `failures` failed calls in a row,
 * calls skip the backend for `openMs` (a request then costs no timeout);
 * then one call goes through as a probe: its success closes the breaker, its
 * failure opens it for another `openMs`.
 */
export class BackendBreaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openUntil = 0;
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly options: BackendBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Whether this call may go to the backend; in half-open state only the probe may. */
  allow(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (this.now() < this.openUntil) return false;
      this.change('half-open', `after ${this.options.openMs} ms, one call probes the backend`);
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  /** Whether calls skip the backend now (open, or half-open with the probe out). */
  get isOpen(): boolean {
    return this.state !== 'closed';
  }

  /** Records a call that answered. */
  succeeded(): void {
    this.failures = 0;
    this.probing = false;
    if (this.state !== 'closed') this.change('closed', 'the backend answered');
  }

  /** Records a call that failed or timed out. */
  failedCall(): void {
    this.failures++;
    const probeFailed = this.probing;
    this.probing = false;
    if (probeFailed || (this.state === 'closed' && this.failures >= this.options.failures)) {
      this.openUntil = this.now() + this.options.openMs;
      this.change(
        'open',
        probeFailed
          ? 'the probe failed'
          : `${this.failures} backend calls in a row failed; skipping it for ${this.options.openMs} ms`,
      );
    }
  }

  private change(state: BreakerState, reason: string): void {
    if (this.state === state) return;
    this.state = state;
    this.options.onChange(state, reason);
  }
}
