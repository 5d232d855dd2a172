import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

import { CacheBackend, requiredNamespace } from '../backends/cache-backend.js';
import { Clock } from '../common/clock.js';
import { CacheXConfigError, CacheXError } from '../common/errors.js';
import { RateLimitedLogger } from '../common/rate-limited-logger.js';
import { type HttpRequestLike } from '../http/request.js';
import {
  bindSession,
  checkBindings,
  clientOf,
  isRequest,
  type SessionContext,
} from './rules/session-bindings.js';
import {
  destroyed,
  SessionData,
  type SessionRecord,
  type SessionUser,
  toRecord,
} from './session-data.js';
import { TokenDelivery } from './request/token-delivery.js';
import {
  expiryFrom,
  pastAbsoluteTimeout,
  recordDueForRenewal,
  renewedExpiry,
} from './rules/session-expiry.js';
import { type ResolvedSessionOptions } from './session-options.js';
import { forgetSession, peekSessionState, trackSession } from './request/session-request.js';
import { type FoundToken, readToken, type TokenSource } from './rules/session-transport.js';
import { SESSION_OPTIONS } from './session.constants.js';
import { SessionExpiredError, SessionInvalidError, SessionRevokedError } from './session.errors.js';
import { SessionStore } from './store/session.store.js';
import { MAX_TOKEN_LENGTH, type SessionTokenCodec } from './tokens/session-token.js';
import { newSessionId } from './tokens/simple-token.js';
import { createTokenCodec } from './tokens/token-codec.js';

/** A session and the token that opens it. */
export interface SessionWithToken {
  session: SessionData;
  token: string;
}

/** A session and, when it was renewed by sliding expiration, its new token. */
export interface LoadedSession {
  session: SessionData;
  /** Present only when the session was renewed: hand this token to the client. */
  token?: string;
}

/**
 * The session lifecycle: create, read, update, destroy, regenerate, per-user
 * listing and logout-everywhere, on any `CacheBackend` (through its
 * `namespace(keyPrefix)` store, apart from the response cache). Every backend
 * call is bounded by `backendTimeoutMs`; a failing backend raises
 * `SessionUnavailableError` (503).
 *
 * @example
 * @Post('login')
 * async login(@Body() body: Credentials, @Req() req: Request) {
 *   const user = await this.users.check(body);
 *   const { token } = await this.sessions.create({ id: user.id, username: user.name }, req);
 *   return { token }; // also sent as x-session-token / Set-Cookie
 * }
 */
@Injectable()
export class SessionManager implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly failures = new RateLimitedLogger(SessionManager.name);
  private readonly backend: CacheBackend;
  private readonly ownsBackend: boolean;
  private readonly store: SessionStore;
  private readonly delivery: TokenDelivery;
  private codec: Promise<SessionTokenCodec> | undefined;
  /** Renewal writes under way, by session id (one write shared by concurrent renewals). */
  private readonly renewals = new Map<string, Promise<number>>();

  constructor(
    @Inject(SESSION_OPTIONS) private readonly options: ResolvedSessionOptions,
    private readonly clock: Clock,
    @Optional() injectedBackend?: CacheBackend,
    @Optional() adapterHost?: HttpAdapterHost,
  ) {
    const backend = options.backend ?? injectedBackend;
    if (!backend) {
      throw new CacheXConfigError(
        'SessionModule has no backend to store sessions in: import CacheXModule.forRoot() (its CacheBackend is used), or pass the `backend` option, e.g. SessionModule.forRoot({ secret, backend: new MemoryBackend() })',
      );
    }
    this.backend = backend;
    // A backend given to SessionModule is ours to close, unless it is CacheXModule's own.
    this.ownsBackend = options.backend !== undefined && options.backend !== injectedBackend;
    this.store = new SessionStore(
      requiredNamespace(backend, options.keyPrefix, 'SessionModule'),
      options,
      clock,
    );
    this.delivery = new TokenDelivery(options, adapterHost, new Logger(SessionManager.name), clock);
  }

  /** Loads `@nestjs/jwt` at start-up when `tokenFormat: 'jwt'`, so its absence fails fast. */
  async onModuleInit(): Promise<void> {
    await this.getCodec();
  }

  /** On Fastify, records each request's reply as it arrives, so tokens can be delivered from anywhere. */
  onApplicationBootstrap(): void {
    this.delivery.bindRepliesOnRequest();
  }

  /** Closes a backend that was given through the `backend` option. */
  async onApplicationShutdown(): Promise<void> {
    if (this.ownsBackend) await this.backend.close();
  }

  /**
   * Starts a session, anonymous when `user` is omitted. Given the request, the
   * token is also sent on its response (the way the request's own token came,
   * else `Set-Cookie` with cookie transport, else the token header), and the
   * session becomes the request's `@Session()`, saved again at request end if
   * changed.
   */
  async create(user?: SessionUser, ctx?: SessionContext): Promise<SessionWithToken> {
    if (user !== undefined) checkUser(user, 'create');
    const now = this.clock.now();
    const record: SessionRecord = {
      v: 1,
      id: newSessionId(),
      data: {},
      flash: [],
      createdAt: now,
      lastAccessedAt: now,
      expiresAt: expiryFrom(this.options, now, now),
    };
    if (user !== undefined) record.user = user;
    bindSession(record, clientOf(ctx), this.options, 'create');
    const session = SessionData.fromRecord(record);
    await this.store.write(session);
    const token = await this.sign(session);
    if (isRequest(ctx)) {
      trackSession(ctx, session, true);
      this.delivery.send(ctx, token, session.expiresAt);
    }
    return { session, token };
  }

  /**
   * Verifies a token and loads its session, enforcing expiry, the absolute
   * timeout and the IP / User-Agent bindings (against `ctx`). Renews it when
   * sliding expiration applies: the new token is returned (and, given the
   * request, sent the way the request's token came). Throws a `SessionError`
   * subclass: `SessionInvalidError`, `SessionExpiredError`,
   * `SessionRevokedError`, `SessionBindingError`, `SessionUnavailableError`.
   */
  async get(token: string, ctx?: SessionContext): Promise<LoadedSession> {
    let source: TokenSource | undefined;
    if (isRequest(ctx)) {
      const found = this.readToken(ctx);
      if (found?.token === token) source = found.source;
    }
    return this.authenticate(token, ctx, source);
  }

  /**
   * Writes a renewed expiry, once per session however many requests renew
   * it at the same time in this process: they share the one write and its
   * expiry. Rejects with `SessionRevokedError` when the session was
   * destroyed meanwhile.
   */
  private renewRecord(session: SessionData, expiresAt: number): Promise<number> {
    let renewing = this.renewals.get(session.id);
    if (renewing === undefined) {
      session.expiresAt = expiresAt;
      renewing = this.store
        .write(session)
        .then((written) => {
          if (!written) throw new SessionRevokedError('destroyed while it was being renewed');
          return expiresAt;
        })
        .finally(() => this.renewals.delete(session.id));
      this.renewals.set(session.id, renewing);
    }
    return renewing;
  }

  /**
   * @internal The guard's entry point: `get()` with the source the token was
   * read from, so a renewed token goes back the same way.
   */
  async authenticate(
    token: string,
    ctx: SessionContext | undefined,
    source: TokenSource | undefined,
  ): Promise<LoadedSession> {
    if (typeof token !== 'string' || token === '' || token.length > MAX_TOKEN_LENGTH) {
      throw new SessionInvalidError('empty or oversized token');
    }
    const verified = await (await this.getCodec()).verify(token);
    const found = await this.store.read(verified.id);
    if (found === undefined) {
      throw new SessionRevokedError('no session under this id (destroyed, regenerated or expired)');
    }
    if (found === 'unreadable') throw new SessionRevokedError('the stored session is unreadable');
    const { record, stored } = found;
    const now = this.clock.now();
    if (pastAbsoluteTimeout(this.options, record, now)) {
      throw new SessionExpiredError('past absoluteTimeout');
    }
    if (now >= record.expiresAt) throw new SessionExpiredError('past its expiry');
    checkBindings(record, ctx, this.options);

    const session = SessionData.fromRecord(record);
    session.lastAccessedAt = now;
    this.store.remember(session, record.lastAccessedAt, stored);

    let renewed: string | undefined;
    const extended = renewedExpiry(this.options, record, verified.expiresAt, now);
    if (extended !== undefined) {
      // The record may already outlive the token (renewed by another request): only the token is new.
      if (recordDueForRenewal(this.options, record, now) && extended > session.expiresAt) {
        session.expiresAt = await this.renewRecord(session, extended);
      }
      renewed = await this.sign(session);
    }
    if (isRequest(ctx)) {
      trackSession(ctx, session, false);
      if (renewed !== undefined) this.delivery.send(ctx, renewed, session.expiresAt, source);
    }
    return renewed === undefined ? { session } : { session, token: renewed };
  }

  /**
   * Saves the session now (sessions changed during a request are also saved
   * automatically when it ends). Throws `SessionRevokedError` for a session
   * that was destroyed.
   */
  async update(session: SessionData): Promise<void> {
    if (session[destroyed]) throw new SessionRevokedError('update() of a destroyed session');
    if (session.user !== undefined) checkUser(session.user, 'update');
    if (!(await this.store.write(session))) {
      throw new SessionRevokedError('update() of a session destroyed meanwhile');
    }
  }

  /**
   * Ends a session by id; `true` when it existed. Given the request, the
   * session cookie is cleared on its response (cookie transport) and the
   * request's session object is never saved again.
   */
  async destroy(id: string, req?: HttpRequestLike): Promise<boolean> {
    if (req !== undefined) {
      forgetSession(req, id);
      this.delivery.clearCookie(req);
    }
    return this.store.remove(id);
  }

  /** Ends this session; the object is never saved again (not even by the end-of-request save). */
  async invalidate(session: SessionData): Promise<void> {
    session[destroyed] = true;
    await this.store.removeSession(session);
  }

  /**
   * Gives the session a new id and token, keeping its user, data and flash
   * messages; the old token stops working at once (call it at login and on
   * privilege changes, against session fixation). Given the request, the new
   * token is sent on its response and the new session becomes its `@Session()`.
   */
  async regenerate(session: SessionData, ctx?: SessionContext): Promise<SessionWithToken> {
    if (session[destroyed]) throw new SessionRevokedError('regenerate() of a destroyed session');
    if (session.user !== undefined) checkUser(session.user, 'regenerate');
    const now = this.clock.now();
    const old = session[toRecord]();
    const record: SessionRecord = {
      ...old,
      id: newSessionId(),
      lastAccessedAt: now,
      expiresAt: expiryFrom(this.options, old.createdAt, now),
    };
    // Bound afresh to whoever asks, when known; otherwise the old bindings carry over.
    if (ctx !== undefined) {
      const client = clientOf(ctx);
      bindSession(
        record,
        { ip: client.ip ?? old.ip, userAgent: client.userAgent ?? old.userAgent },
        this.options,
        'regenerate',
      );
    }
    const fresh = SessionData.fromRecord(record);
    // The new one is stored before the old one goes, so the user is never without a session.
    await this.store.write(fresh);
    session[destroyed] = true;
    await this.store.removeSession(session);
    const token = await this.sign(fresh);
    if (isRequest(ctx)) {
      trackSession(ctx, fresh, true);
      this.delivery.send(ctx, token, fresh.expiresAt);
    }
    return { session: fresh, token };
  }

  /**
   * Ends every session of a user ("log out everywhere"); the count ended.
   * Costs one index read plus one delete per session of that user, whatever
   * the number of other sessions.
   */
  async destroyUserSessions(userId: string): Promise<number> {
    return this.store.removeUserSessions(userId);
  }

  /** The live sessions of a user, oldest first (reads that user's index only). */
  async listUserSessions(userId: string): Promise<SessionData[]> {
    return this.store.userSessions(userId);
  }

  /**
   * Removes expired sessions the backend still holds and prunes the per-user
   * indexes of sessions that are gone; the count removed. Backends expire
   * records on their own, so this is housekeeping for the indexes, safe to run
   * on a timer.
   */
  async clearExpired(): Promise<number> {
    return this.store.clearExpired();
  }

  /**
   * The token a request carries, from the first source present (token header,
   * then `Authorization: Bearer`, then the session cookie), or `undefined`.
   */
  readToken(req: HttpRequestLike): FoundToken | undefined {
    return readToken(req, this.options);
  }

  /**
   * @internal Saves the sessions of a request that changed (or whose last
   * access is worth persisting); called once when the request ends. Resolves
   * `undefined` at once when there is nothing to do. Never throws: a failed
   * save is logged.
   */
  saveRequest(req: object): Promise<void> | undefined {
    const state = peekSessionState(req);
    if (state === undefined || state.tracked.size === 0) return undefined;
    const due = [...state.tracked].filter((session) => this.store.needsSave(session));
    if (due.length === 0) return undefined;
    return Promise.all(
      due.map(async (session) => {
        try {
          // Destroyed elsewhere (another request, another node) since it was loaded: the
          // write only replaces a record that still exists, so it stays dead.
          if (session[destroyed]) return;
          await this.store.write(session);
        } catch (error) {
          this.failures.error('save', 'Could not save a session at the end of a request', error);
        }
      }),
    ).then(() => undefined);
  }

  /** @internal Records the platform response of a request, to deliver tokens on it. */
  bindResponse(req: object, res: unknown): void {
    this.delivery.bind(req, res);
  }

  private async sign(session: SessionData): Promise<string> {
    return (await this.getCodec()).sign(session.id, session.expiresAt);
  }

  /** The token codec, made on first use (at start-up: see `onModuleInit`). */
  private getCodec(): Promise<SessionTokenCodec> {
    return (this.codec ??= createTokenCodec(this.options, this.clock));
  }
}

function checkUser(user: SessionUser, method: string): void {
  if (user === null || typeof user !== 'object' || typeof user.id !== 'string' || user.id === '') {
    throw new CacheXError(
      `SessionManager.${method}(): user.id must be a non-empty string`,
      'CACHEX_SESSION_USER',
    );
  }
}
