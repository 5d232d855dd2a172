import { destroyed, type SessionData } from '../session-data.js';
import { type SessionError } from '../session.errors.js';

/** What the guard concluded for one request. */
export interface SessionVerdict {
  session?: SessionData;
  error?: SessionError;
}

/** Per-request session state, kept on the request under a symbol; internal. */
export interface SessionRequestState {
  /** The session `@Session()` returns: the guard's, or the last one created or regenerated. */
  session?: SessionData;
  /** Sessions whose changes are saved when the request ends. */
  tracked: Set<SessionData>;
  /** The platform response (Fastify: the reply), recorded as soon as it is known. */
  response?: unknown;
  /** Headers written before the response was known (Fastify middleware), sent once it is. */
  pendingHeaders?: PendingHeader[];
  /** The guard's verdict, shared when the guard is applied twice (class and method). */
  verdict?: Promise<SessionVerdict>;
}

/** A response header waiting for its response. */
export interface PendingHeader {
  name: string;
  value: string;
  append: boolean;
}

// A registered symbol, so two copies of the package in one app still agree.
const STATE = Symbol.for('nestjs-cachex.session.state');

type WithState = { [STATE]?: SessionRequestState };

/**
 * Where a request's state lives. Fastify wraps Node's request (`request.raw`)
 * and hands the raw one to middleware, so the state is kept on the raw
 * request: both see one state, as Express's middleware and handlers share one
 * `req`.
 */
function holderOf(req: object): WithState {
  const raw = (req as { raw?: { headers?: unknown } }).raw;
  const isNodeRequest = typeof raw === 'object' && raw !== null && typeof raw.headers === 'object';
  return (isNodeRequest ? raw : req) as WithState;
}

/** The request's session state, created on first use. */
export function sessionState(req: object): SessionRequestState {
  const holder = holderOf(req);
  return (holder[STATE] ??= { tracked: new Set() });
}

/** The request's state, if anything session-related happened on it. */
export function peekSessionState(req: object): SessionRequestState | undefined {
  return holderOf(req)[STATE];
}

/**
 * Has the session saved when the request ends if it changed; it becomes the
 * request's `@Session()` when `current` (created or regenerated here), or
 * when the request has none yet.
 */
export function trackSession(req: object, session: SessionData, current: boolean): void {
  const state = sessionState(req);
  state.tracked.add(session);
  if (current || state.session === undefined) state.session = session;
}

/** Marks the request's copies of session `id` destroyed (never saved again) and drops it as `@Session()`. */
export function forgetSession(req: object, id: string): void {
  const state = peekSessionState(req);
  for (const session of state?.tracked ?? []) if (session.id === id) session[destroyed] = true;
  if (state?.session?.id === id) state.session = undefined;
}

/**
 * The session the `SessionGuard` (or `SessionManager.create` / `regenerate`
 * given this request) put on the request; `undefined` when there is none.
 * `@Session()` is the usual way to get it; this helps in middleware-free code
 * such as exception filters.
 */
export function getRequestSession(req: object): SessionData | undefined {
  return peekSessionState(req)?.session;
}
