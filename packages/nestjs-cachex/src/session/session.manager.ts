import { createHash } from 'node:crypto';

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

import { CacheBackend, type KeyValueStore } from '../backends/cache-backend.js';
import { CacheXConfigError, CacheXError } from '../common/errors.js';
import { RateLimitedLogger } from '../common/rate-limited-logger.js';
import { withTimeout } from '../common/with-timeout.js';
import { type HttpRequestLike, headerValue } from '../http/request.js';
import {
  contentOf,
  destroyed,
  parseRecord,
  SessionData,
  type SessionRecord,
  type SessionUser,
  toRecord,
} from './session-data.js';
import { type ResolvedSessionOptions } from './session-options.js';
import { peekSessionState, sessionState } from './session-request.js';
import {
  type FoundToken,
  nodeHeaderWriter,
  readToken,
  type ResponseHeaderWriter,
  serializeCookie,
  type TokenSource,
} from './session-transport.js';
import { SESSION_OPTIONS } from './session.constants.js';
import {
  SessionBindingError,
  SessionExpiredError,
  SessionInvalidError,
  SessionRevokedError,
  SessionUnavailableError,
} from './session.errors.js';
import { JwtTokenCodec, loadJwtService } from './tokens/jwt-token.js';
import { MAX_TOKEN_LENGTH, type SessionTokenCodec } from './tokens/session-token.js';
import { newSessionId, SimpleTokenCodec } from './tokens/simple-token.js';

/**
 * Who is using a session: `{ ip, userAgent }`, or the request itself (then
 * `req.ip` and its `User-Agent` are read, and new tokens are delivered on its
 * response).
 */
export type SessionContext = { ip?: string; userAgent?: string } | HttpRequestLike;

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

/** What was last written for a session object; decides whether to save again. */
interface Snapshot {
  content: string;
  userId: string | undefined;
  accessSavedAt: number;
  indexedUntil: number;
}

/** Shards of the index of users with sessions (walked by `clearExpired`). */
const USER_SHARDS = 64;
/**
 * Extra seconds a record outlives its expiry on the server: backends count
 * whole seconds (Memcached's clock may even run a second behind). Expiry
 * itself is decided from `expiresAt`, to the millisecond.
 */
const GRACE_SECONDS = 2;
/** Extra seconds an index outlives the sessions it lists (its stale members are pruned). */
const INDEX_GRACE_SECONDS = 60;

function isRequest(ctx: SessionContext | undefined): ctx is HttpRequestLike {
  return ctx !== undefined && ctx !== null && typeof (ctx as HttpRequestLike).headers === 'object';
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
export class SessionManager implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SessionManager.name);
  private readonly failures = new RateLimitedLogger(SessionManager.name);
  private readonly backend: CacheBackend;
  private readonly ownsBackend: boolean;
  private readonly store: KeyValueStore;
  private readonly snapshots = new WeakMap<SessionData, Snapshot>();
  private readonly touchIntervalMs: number;
  private codec: SessionTokenCodec | undefined;
  private codecLoading: Promise<SessionTokenCodec> | undefined;

  constructor(
    @Inject(SESSION_OPTIONS) private readonly options: ResolvedSessionOptions,
    @Optional() injectedBackend?: CacheBackend,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
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
    this.store = backend.namespace(options.keyPrefix);
    this.touchIntervalMs = Math.min(60_000, options.ttl * 100);
    if (options.tokenFormat === 'simple') this.codec = new SimpleTokenCodec(options.secrets);
  }

  /** Loads `@nestjs/jwt` at start-up when `tokenFormat: 'jwt'`, so its absence fails fast. */
  async onModuleInit(): Promise<void> {
    await this.getCodec();
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
    const now = Date.now();
    const client = this.clientOf(ctx);
    const record: SessionRecord = {
      v: 1,
      id: newSessionId(),
      data: {},
      flash: [],
      createdAt: now,
      lastAccessedAt: now,
      expiresAt: this.expiryFrom(now, now),
    };
    if (user !== undefined) record.user = user;
    this.bind(record, client, 'create');
    const session = new SessionData(record);
    await this.write(session);
    const token = await (await this.getCodec()).sign(session.id, session.expiresAt);
    if (isRequest(ctx)) {
      this.track(ctx, session, true);
      this.deliver(ctx, token, session.expiresAt);
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
    const raw = await this.io('get', () => this.store.get(sessionKey(verified.id)));
    if (raw === undefined) {
      throw new SessionRevokedError('no session under this id (destroyed, regenerated or expired)');
    }
    const record = parseRecord(raw);
    if (record === undefined || record.id !== verified.id) {
      throw new SessionRevokedError('the stored session is unreadable');
    }
    const now = Date.now();
    if (this.pastAbsoluteTimeout(record, now)) {
      throw new SessionExpiredError('past absoluteTimeout');
    }
    if (now >= record.expiresAt) throw new SessionExpiredError('past its expiry');
    this.checkBindings(record, ctx);

    const session = new SessionData(record);
    session.lastAccessedAt = now;
    this.remember(session, record.lastAccessedAt);

    let renewed: string | undefined;
    if (this.options.slidingExpiration) {
      const effective = Math.min(record.expiresAt, verified.expiresAt);
      if (effective - now < this.options.slidingThreshold * this.options.ttl * 1000) {
        const extended = this.expiryFrom(record.createdAt, now);
        if (extended > effective) {
          if (extended > session.expiresAt) {
            session.expiresAt = extended;
            await this.write(session);
          }
          renewed = await (await this.getCodec()).sign(session.id, session.expiresAt);
        }
      }
    }
    if (isRequest(ctx)) {
      this.track(ctx, session, false);
      if (renewed !== undefined) this.deliver(ctx, renewed, session.expiresAt, source);
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
    await this.write(session);
  }

  /**
   * Ends a session by id; `true` when it existed. Given the request, the
   * session cookie is cleared on its response (cookie transport) and the
   * request's session object is never saved again.
   */
  async destroy(id: string, req?: HttpRequestLike): Promise<boolean> {
    if (req !== undefined) {
      const state = peekSessionState(req);
      for (const session of state?.tracked ?? []) if (session.id === id) session[destroyed] = true;
      if (state?.session?.id === id) state.session = undefined;
      if (this.options.cookie) this.clearCookie(req);
    }
    return this.remove(id);
  }

  /** Ends this session; the object is never saved again (not even by the end-of-request save). */
  async invalidate(session: SessionData): Promise<void> {
    session[destroyed] = true;
    await this.remove(session.id, this.storedUser(session));
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
    const now = Date.now();
    const old = session[toRecord]();
    const client = ctx === undefined ? undefined : this.clientOf(ctx);
    const record: SessionRecord = {
      ...old,
      id: newSessionId(),
      lastAccessedAt: now,
      expiresAt: this.expiryFrom(old.createdAt, now),
    };
    // Bound afresh to whoever asks, when known; otherwise the old bindings carry over.
    if (client !== undefined) {
      this.bind(
        record,
        { ip: client.ip ?? old.ip, userAgent: client.userAgent ?? old.userAgent },
        'regenerate',
      );
    }
    const fresh = new SessionData(record);
    // The new one is stored before the old one goes, so the user is never without a session.
    await this.write(fresh);
    session[destroyed] = true;
    await this.remove(old.id, this.storedUser(session));
    const token = await (await this.getCodec()).sign(fresh.id, fresh.expiresAt);
    if (isRequest(ctx)) {
      this.track(ctx, fresh, true);
      this.deliver(ctx, token, fresh.expiresAt);
    }
    return { session: fresh, token };
  }

  /**
   * Ends every session of a user ("log out everywhere"); the count ended.
   * Costs one index read plus one delete per session of that user, whatever
   * the number of other sessions.
   */
  async destroyUserSessions(userId: string): Promise<number> {
    const index = userKey(userId);
    const ids = await this.io('setMembers', () => this.store.setMembers(index));
    const results = await Promise.all(
      ids.map(async (id) => {
        const deleted = await this.io('delete', () => this.store.delete(sessionKey(id)));
        // Member by member, so a session created meanwhile stays indexed.
        await this.io('setRemove', () => this.store.setRemove(index, id));
        return deleted;
      }),
    );
    return results.filter(Boolean).length;
  }

  /** The live sessions of a user, oldest first (reads that user's index only). */
  async listUserSessions(userId: string): Promise<SessionData[]> {
    const index = userKey(userId);
    const ids = await this.io('setMembers', () => this.store.setMembers(index));
    const now = Date.now();
    const sessions = await Promise.all(
      ids.map(async (id) => {
        const raw = await this.io('get', () => this.store.get(sessionKey(id)));
        const record = raw === undefined ? undefined : parseRecord(raw);
        if (record === undefined || this.isExpired(record, now) || record.user?.id !== userId) {
          await this.io('setRemove', () => this.store.setRemove(index, id));
          return undefined;
        }
        const session = new SessionData(record);
        this.remember(session, record.lastAccessedAt);
        return session;
      }),
    );
    return sessions
      .filter((s): s is SessionData => s !== undefined)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * Removes expired sessions the backend still holds and prunes the per-user
   * indexes of sessions that are gone; the count removed. Backends expire
   * records on their own, so this is housekeeping for the indexes, safe to run
   * on a timer.
   */
  async clearExpired(): Promise<number> {
    const now = Date.now();
    let removed = 0;
    for (let shard = 0; shard < USER_SHARDS; shard++) {
      const shardIndex = `users:${shard}`;
      const userIds = await this.io('setMembers', () => this.store.setMembers(shardIndex));
      const counts = await Promise.all(
        userIds.map(async (userId) => {
          const index = userKey(userId);
          const ids = await this.io('setMembers', () => this.store.setMembers(index));
          let gone = 0;
          await Promise.all(
            ids.map(async (id) => {
              const raw = await this.io('get', () => this.store.get(sessionKey(id)));
              const record = raw === undefined ? undefined : parseRecord(raw);
              if (record !== undefined && !this.isExpired(record, now)) return;
              if (raw !== undefined)
                await this.io('delete', () => this.store.delete(sessionKey(id)));
              await this.io('setRemove', () => this.store.setRemove(index, id));
              gone++;
            }),
          );
          if (gone === ids.length) {
            await this.io('setRemove', () => this.store.setRemove(shardIndex, userId));
            // A login may have raced with the pruning: put the user back if so.
            const again = await this.io('setMembers', () => this.store.setMembers(index));
            if (again.length > 0) {
              const ttl = (this.options.absoluteTimeout ?? this.options.ttl) + INDEX_GRACE_SECONDS;
              await this.io('setAdd', () => this.store.setAdd(shardIndex, userId, ttl));
            }
          }
          return gone;
        }),
      );
      removed += counts.reduce((a, b) => a + b, 0);
    }
    return removed;
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
    const due = [...state.tracked].filter((session) => this.needsSave(session));
    if (due.length === 0) return undefined;
    return Promise.all(
      due.map(async (session) => {
        try {
          // Destroyed elsewhere (another request, another node) since it was loaded: keep it dead.
          const current = await this.io('get', () => this.store.get(sessionKey(session.id)));
          if (current === undefined || session[destroyed]) return;
          await this.write(session);
        } catch (error) {
          this.failures.error('save', 'Could not save a session at the end of a request', error);
        }
      }),
    ).then(() => undefined);
  }

  /** @internal Records the platform response of a request, to deliver tokens on it. */
  bindResponse(req: object, res: unknown): void {
    const state = sessionState(req);
    state.response ??= res;
  }

  // ---- internals -------------------------------------------------------------------------

  private async getCodec(): Promise<SessionTokenCodec> {
    if (this.codec) return this.codec;
    this.codecLoading ??= loadJwtService().then(
      (jwt) => (this.codec = new JwtTokenCodec(jwt, this.options.secrets, this.options.jwt)),
    );
    return this.codecLoading;
  }

  private needsSave(session: SessionData): boolean {
    if (session[destroyed]) return false;
    const snapshot = this.snapshots.get(session);
    if (snapshot === undefined) return true;
    return (
      contentOf(session) !== snapshot.content ||
      session.lastAccessedAt - snapshot.accessSavedAt >= this.touchIntervalMs
    );
  }

  private remember(session: SessionData, accessSavedAt: number): void {
    this.snapshots.set(session, {
      content: contentOf(session),
      userId: session.user?.id,
      accessSavedAt,
      indexedUntil: session.expiresAt,
    });
  }

  /** Stores the record and keeps the user indexes right; then remembers what was written. */
  private async write(session: SessionData): Promise<void> {
    const record = session[toRecord]();
    const previous = this.snapshots.get(session);
    const ttl = this.storeTtl(record.expiresAt);
    await this.io('set', () => this.store.set(sessionKey(record.id), JSON.stringify(record), ttl));

    const userId = record.user?.id;
    if (previous?.userId !== undefined && previous.userId !== userId) {
      await this.io('setRemove', () => this.store.setRemove(userKey(previous.userId!), record.id));
    }
    // The index outlives every session in it; refreshed only when user or expiry moved.
    if (
      userId !== undefined &&
      (previous === undefined ||
        previous.userId !== userId ||
        previous.indexedUntil < record.expiresAt)
    ) {
      const indexTtl = ttl + INDEX_GRACE_SECONDS;
      await Promise.all([
        this.io('setAdd', () => this.store.setAdd(userKey(userId), record.id, indexTtl)),
        this.io('setAdd', () => this.store.setAdd(shardKey(userId), userId, indexTtl)),
      ]);
    }
    this.remember(session, record.lastAccessedAt);
  }

  /** Deletes a session record and its index entry (its user read from the record unless known). */
  private async remove(id: string, known?: { userId: string | undefined }): Promise<boolean> {
    let userId = known?.userId;
    if (known === undefined) {
      const raw = await this.io('get', () => this.store.get(sessionKey(id)));
      userId = raw === undefined ? undefined : parseRecord(raw)?.user?.id;
    }
    const deleted = await this.io('delete', () => this.store.delete(sessionKey(id)));
    if (userId !== undefined) {
      await this.io('setRemove', () => this.store.setRemove(userKey(userId), id));
    }
    return deleted;
  }

  /** The user the stored record has, when this object was loaded or saved here. */
  private storedUser(session: SessionData): { userId: string | undefined } | undefined {
    const snapshot = this.snapshots.get(session);
    return snapshot === undefined ? undefined : { userId: snapshot.userId };
  }

  private track(req: HttpRequestLike, session: SessionData, current: boolean): void {
    const state = sessionState(req);
    state.tracked.add(session);
    if (current || state.session === undefined) state.session = session;
  }

  /** Sends a token on the request's response: the way `source` says, else the configured transport. */
  private deliver(
    req: HttpRequestLike,
    token: string,
    expiresAt: number,
    source?: TokenSource,
  ): void {
    const way =
      source ?? this.readToken(req)?.source ?? (this.options.cookie ? 'cookie' : 'header');
    if (way === 'cookie' && this.options.cookie) {
      const maxAge = this.options.cookie.maxAge ?? Math.ceil((expiresAt - Date.now()) / 1000);
      this.writeHeader(
        req,
        'Set-Cookie',
        serializeCookie(token, this.options.cookie, maxAge),
        true,
      );
    } else {
      this.writeHeader(req, this.options.headerName, token, false);
    }
  }

  private clearCookie(req: HttpRequestLike): void {
    if (!this.options.cookie) return;
    this.writeHeader(req, 'Set-Cookie', serializeCookie('', this.options.cookie, 0), true);
  }

  private writeHeader(req: HttpRequestLike, name: string, value: string, append: boolean): void {
    // The response recorded by the guard or interceptor; Express also links it as `req.res`.
    const res = peekSessionState(req)?.response ?? (req as { res?: unknown }).res;
    if (res === undefined) {
      this.logger.warn(
        `No response to send the ${name} header on; return the token to the client yourself`,
      );
      return;
    }
    try {
      const writer = this.headerWriter();
      if (append) writer.appendHeader(res, name, value);
      else writer.setHeader(res, name, value);
    } catch (error) {
      this.logger.warn(`Could not set the ${name} header: ${(error as Error).message}`);
    }
  }

  private headerWriter(): ResponseHeaderWriter {
    const adapter = this.adapterHost?.httpAdapter as
      | {
          setHeader?(res: unknown, name: string, value: string): unknown;
          appendHeader?(res: unknown, name: string, value: string): unknown;
        }
      | undefined;
    if (typeof adapter?.setHeader !== 'function') return nodeHeaderWriter;
    return {
      setHeader: (res, name, value) => void adapter.setHeader!(res, name, value),
      appendHeader: (res, name, value) =>
        typeof adapter.appendHeader === 'function'
          ? void adapter.appendHeader(res, name, value)
          : nodeHeaderWriter.appendHeader(res, name, value),
    };
  }

  /** Who is asking; a request without a User-Agent header counts as the empty one. */
  private clientOf(ctx: SessionContext | undefined): { ip?: string; userAgent?: string } {
    if (ctx === undefined || ctx === null) return {};
    if (isRequest(ctx)) return { ip: ctx.ip, userAgent: headerValue(ctx, 'user-agent') ?? '' };
    return ctx;
  }

  /**
   * Records the bindings the options ask for. A session bound to nothing could
   * never be used, so a missing IP / User-Agent is a programming error here.
   */
  private bind(
    record: SessionRecord,
    client: { ip?: string; userAgent?: string },
    method: string,
  ): void {
    delete record.ip;
    delete record.userAgent;
    if (this.options.ipBinding) {
      if (client.ip === undefined) {
        throw new CacheXError(
          `SessionManager.${method}(): ipBinding is on, so pass the request (or { ip }) to bind the session to`,
          'CACHEX_SESSION_BINDING',
        );
      }
      record.ip = client.ip;
    }
    if (this.options.userAgentBinding) {
      if (client.userAgent === undefined) {
        throw new CacheXError(
          `SessionManager.${method}(): userAgentBinding is on, so pass the request (or { userAgent }) to bind the session to`,
          'CACHEX_SESSION_BINDING',
        );
      }
      record.userAgent = client.userAgent;
    }
  }

  private checkBindings(record: SessionRecord, ctx: SessionContext | undefined): void {
    if (!this.options.ipBinding && !this.options.userAgentBinding) return;
    const client = this.clientOf(ctx);
    if (this.options.ipBinding && (record.ip === undefined || record.ip !== client.ip)) {
      throw new SessionBindingError(
        `IP address ${String(client.ip)} is not the one the session is bound to`,
      );
    }
    if (
      this.options.userAgentBinding &&
      (record.userAgent === undefined || record.userAgent !== client.userAgent)
    ) {
      throw new SessionBindingError('User-Agent differs from the one the session is bound to');
    }
  }

  /** The expiry of a session created at `createdAt` and (re)started at `now`. */
  private expiryFrom(createdAt: number, now: number): number {
    const sliding = now + this.options.ttl * 1000;
    const cap = this.options.absoluteTimeout;
    return cap === undefined ? sliding : Math.min(sliding, createdAt + cap * 1000);
  }

  private pastAbsoluteTimeout(record: SessionRecord, now: number): boolean {
    const cap = this.options.absoluteTimeout;
    return cap !== undefined && now >= record.createdAt + cap * 1000;
  }

  private isExpired(record: SessionRecord, now: number): boolean {
    return now >= record.expiresAt || this.pastAbsoluteTimeout(record, now);
  }

  private storeTtl(expiresAt: number): number {
    return Math.max(1, Math.ceil((expiresAt - Date.now()) / 1000)) + GRACE_SECONDS;
  }

  /** Runs one backend call within `backendTimeoutMs`; any failure becomes `SessionUnavailableError`. */
  private async io<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(
        Promise.resolve().then(call),
        this.options.backendTimeoutMs,
        `session store ${operation}`,
      );
    } catch (error) {
      throw new SessionUnavailableError(`session store ${operation} failed`, error);
    }
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

function sessionKey(id: string): string {
  return `s:${id}`;
}

/** User ids are hashed into keys: any string is a valid id, any backend a valid store. */
function userKey(userId: string): string {
  return `u:${createHash('sha256').update(userId).digest('base64url')}`;
}

function shardKey(userId: string): string {
  return `users:${createHash('sha256').update(userId).digest()[0]! % USER_SHARDS}`;
}
