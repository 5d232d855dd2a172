/**
 * When a session expires: its lifetime (`ttl`), the hard cap from creation
 * (`absoluteTimeout`) and sliding renewal. No Nest import: plain arithmetic
 * over epoch milliseconds.
 */
import { type SessionRecord } from '../session-data.js';
import { type ResolvedSessionOptions } from '../session-options.js';

type LifetimeOptions = Pick<ResolvedSessionOptions, 'ttl' | 'absoluteTimeout'>;
type SlidingOptions = LifetimeOptions &
  Pick<ResolvedSessionOptions, 'slidingExpiration' | 'slidingThreshold'>;
type Times = Pick<SessionRecord, 'createdAt' | 'expiresAt'>;

/** The expiry of a session created at `createdAt` and (re)started at `now`. */
export function expiryFrom(options: LifetimeOptions, createdAt: number, now: number): number {
  const sliding = now + options.ttl * 1000;
  const cap = options.absoluteTimeout;
  return cap === undefined ? sliding : Math.min(sliding, createdAt + cap * 1000);
}

/** Whether the session is older than `absoluteTimeout` allows. */
export function pastAbsoluteTimeout(
  options: LifetimeOptions,
  record: Pick<SessionRecord, 'createdAt'>,
  now: number,
): boolean {
  const cap = options.absoluteTimeout;
  return cap !== undefined && now >= record.createdAt + cap * 1000;
}

/** Whether the session is past its expiry or its absolute timeout. */
export function isExpired(options: LifetimeOptions, record: Times, now: number): boolean {
  return now >= record.expiresAt || pastAbsoluteTimeout(options, record, now);
}

/**
 * The new expiry when sliding expiration renews the session now, else
 * `undefined`. Renewal is due once the time left (by the record or by the
 * token, whichever ends first) drops below `slidingThreshold × ttl`, and only
 * when it actually moves the expiry later.
 */
export function renewedExpiry(
  options: SlidingOptions,
  record: Times,
  tokenExpiresAt: number,
  now: number,
): number | undefined {
  if (!options.slidingExpiration) return undefined;
  const effective = Math.min(record.expiresAt, tokenExpiresAt);
  if (effective - now >= options.slidingThreshold * options.ttl * 1000) return undefined;
  const extended = expiryFrom(options, record.createdAt, now);
  return extended > effective ? extended : undefined;
}

/**
 * Whether the stored record itself is due for renewal (its own time left
 * below `slidingThreshold × ttl`). A token older than its record — the
 * record was renewed by another request — only needs a new token, not a
 * new write: at most one write per session per renewal window.
 */
export function recordDueForRenewal(
  options: SlidingOptions,
  record: Pick<SessionRecord, 'expiresAt'>,
  now: number,
): boolean {
  return record.expiresAt - now < options.slidingThreshold * options.ttl * 1000;
}
