import { Logger } from '@nestjs/common';
import { errorMessage } from './errors.js';

/**
 * Logs a failure at most once per interval per kind, counting what it held
 * back, so a backend that is down does not flood the log at request rate.
 */
export class RateLimitedLogger {
  private readonly lastLogged = new Map<string, { at: number; suppressed: number }>();
  private readonly logger: Logger;

  constructor(
    context: string,
    private readonly intervalMs = 10_000,
  ) {
    this.logger = new Logger(context);
  }

  /** Logs `message` (with the error's message) unless `kind` was logged within the interval. */
  error(kind: string, message: string, error?: unknown): void {
    const now = Date.now();
    const last = this.lastLogged.get(kind);
    if (last && now - last.at < this.intervalMs) {
      last.suppressed++;
      return;
    }
    const held = last?.suppressed ? ` (${last.suppressed} more since the last report)` : '';
    const detail = errorMessage(error);
    const reason = detail ? `: ${detail}` : '';
    this.logger.error(`${message}${reason}${held}`);
    this.lastLogged.set(kind, { at: now, suppressed: 0 });
  }
}
