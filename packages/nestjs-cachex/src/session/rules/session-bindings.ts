/**
 * Who is using a session, and whether they may: the IP address and
 * User-Agent a session is bound to (`ipBinding`, `userAgentBinding`). No Nest
 * import: plain rules over `HttpRequestLike`.
 */
import { CacheXError } from '../../common/errors.js';
import { type HttpRequestLike, headerValue } from '../../http/request.js';
import { type SessionRecord } from '../session-data.js';
import { type ResolvedSessionOptions } from '../session-options.js';
import { SessionBindingError } from '../session.errors.js';

/**
 * Who is using a session: `{ ip, userAgent }`, or the request itself (then
 * `req.ip` and its `User-Agent` are read, and new tokens are delivered on its
 * response).
 */
export type SessionContext = { ip?: string; userAgent?: string } | HttpRequestLike;

/** The IP address and User-Agent of whoever uses a session, as far as known; internal. */
export interface SessionClient {
  ip?: string;
  userAgent?: string;
}

type BindingOptions = Pick<ResolvedSessionOptions, 'ipBinding' | 'userAgentBinding'>;

interface BindingRule {
  /** The option that turns the binding on. */
  option: keyof BindingOptions;
  /** The client property the session is bound to, stored under the same name. */
  field: keyof SessionClient & keyof SessionRecord;
  /** Why a client was refused, for logs. */
  mismatch(client: SessionClient): string;
}

/** Checked in this order; the first mismatch is the one reported. */
const BINDINGS: readonly BindingRule[] = [
  {
    option: 'ipBinding',
    field: 'ip',
    mismatch: (client) => `IP address ${String(client.ip)} is not the one the session is bound to`,
  },
  {
    option: 'userAgentBinding',
    field: 'userAgent',
    mismatch: () => 'User-Agent differs from the one the session is bound to',
  },
];

/** Whether the context is a request (rather than a plain `{ ip, userAgent }`). */
export function isRequest(ctx: SessionContext | undefined): ctx is HttpRequestLike {
  return ctx !== undefined && ctx !== null && typeof (ctx as HttpRequestLike).headers === 'object';
}

/** Who is asking; a request without a User-Agent header counts as the empty one. */
export function clientOf(ctx: SessionContext | undefined): SessionClient {
  if (ctx === undefined || ctx === null) return {};
  if (isRequest(ctx)) return { ip: ctx.ip, userAgent: headerValue(ctx, 'user-agent') ?? '' };
  return ctx;
}

/**
 * Records on `record` the bindings the options ask for, replacing any it had.
 * A session bound to nothing could never be used, so a missing IP /
 * User-Agent is a programming error of the `SessionManager` `method` called.
 */
export function bindSession(
  record: SessionRecord,
  client: SessionClient,
  options: BindingOptions,
  method: string,
): void {
  for (const { option, field } of BINDINGS) {
    delete record[field];
    if (!options[option]) continue;
    const value = client[field];
    if (value === undefined) {
      throw new CacheXError(
        `SessionManager.${method}(): ${option} is on, so pass the request (or { ${field} }) to bind the session to`,
        'CACHEX_SESSION_BINDING',
      );
    }
    record[field] = value;
  }
}

/** Throws `SessionBindingError` when whoever `ctx` names is not who the session is bound to. */
export function checkBindings(
  record: SessionRecord,
  ctx: SessionContext | undefined,
  options: BindingOptions,
): void {
  const rules = BINDINGS.filter((rule) => options[rule.option]);
  if (rules.length === 0) return;
  const client = clientOf(ctx);
  for (const rule of rules) {
    const bound = record[rule.field];
    if (bound === undefined || bound !== client[rule.field]) {
      throw new SessionBindingError(rule.mismatch(client));
    }
  }
}
