import { destroyed, type SessionData } from './session-data.js';
import { type SessionError } from './session.errors.js';

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
  /** The platform response, recorded by the guard or the interceptor. */
  response?: unknown;
  /** The guard's verdict, shared when the guard is applied twice (class and method). */
  verdict?: Promise<SessionVerdict>;
}

// A registered symbol, so two copies of the package in one app still agree.
const STATE = Symbol.for('nestjs-cachex.session.state');

type WithState = { [STATE]?: SessionRequestState };

/** The request's session state, created on first use. */
export function sessionState(req: object): SessionRequestState {
  const holder = req as WithState;
  return (holder[STATE] ??= { tracked: new Set() });
}

/** The request's state, if anything session-related happened on it. */
export function peekSessionState(req: object): SessionRequestState | undefined {
  return (req as WithState)[STATE];
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
