/**
 * The user a session belongs to. `id` is required (it keys the per-user index
 * behind `destroyUserSessions`); anything else JSON-serialisable may be added.
 *
 * @example
 * const user: SessionUser = { id: '42', username: 'ada', roles: ['admin'] };
 */
export interface SessionUser {
  id: string;
  username?: string;
  email?: string;
  roles?: string[];
  permissions?: string[];
  [extra: string]: unknown;
}

/** One flash message, as `consumeFlash()` returns it; `at` is epoch milliseconds. */
export interface FlashMessage {
  message: string;
  category: string;
  at: number;
}

/** What is stored for one session; internal (the storage encoding is ours to change). */
export interface SessionRecord {
  v: 1;
  id: string;
  user?: SessionUser;
  data: Record<string, unknown>;
  flash: FlashMessage[];
  createdAt: number;
  lastAccessedAt: number;
  expiresAt: number;
  ip?: string;
  userAgent?: string;
}

/** Internal accessors, kept off the public surface. */
export const toRecord = Symbol('cachex.session.toRecord');
/** Internal: marks a session object as destroyed so it is never saved again. */
export const destroyed = Symbol('cachex.session.destroyed');

/**
 * One session, as `@Session()` and `SessionManager` hand it out. Change
 * `data`, `user` or flash messages during a request and the session is saved
 * once when the request ends (only if something changed). Times are epoch
 * milliseconds. `JSON.stringify(session)` shows the public fields only.
 *
 * @example
 * @UseGuards(SessionGuard)
 * @Post('cart')
 * add(@Session() session: SessionData, @Body() item: Item) {
 *   session.data.cart = [...((session.data.cart as Item[]) ?? []), item];
 *   session.flash('Added to your cart', 'success');
 * }
 */
export class SessionData {
  /** The session id (not the token: never send it where a token is expected). */
  readonly id: string;
  /** The signed-in user, or `undefined` for an anonymous session. */
  user: SessionUser | undefined;
  /** Application data, JSON-serialisable. */
  data: Record<string, unknown>;
  /** When the session was created (epoch ms); `absoluteTimeout` counts from here. */
  readonly createdAt: number;
  /** The last request that used the session (epoch ms; persisted at most once a minute unless the session is saved). */
  lastAccessedAt: number;
  /** When the session expires (epoch ms) unless renewed. */
  expiresAt: number;
  /** The IP address the session is bound to (`ipBinding`), if known. */
  readonly ip: string | undefined;
  /** The User-Agent the session is bound to (`userAgentBinding`), if known. */
  readonly userAgent: string | undefined;
  #flash: FlashMessage[];
  /** @internal */
  [destroyed] = false;

  /** @internal A session from its stored record (sessions are made by `SessionManager`). */
  static fromRecord(record: SessionRecord): SessionData {
    return new SessionData(record);
  }

  private constructor(record: SessionRecord) {
    this.id = record.id;
    this.user = record.user;
    this.data = record.data ?? {};
    this.createdAt = record.createdAt;
    this.lastAccessedAt = record.lastAccessedAt;
    this.expiresAt = record.expiresAt;
    this.ip = record.ip;
    this.userAgent = record.userAgent;
    this.#flash = Array.isArray(record.flash) ? [...record.flash] : [];
  }

  /** Whether no user is signed in on this session. */
  get anonymous(): boolean {
    return this.user === undefined;
  }

  /**
   * Queues a message for the next `consumeFlash()` (typically the next page
   * the user sees). Saved with the session at the end of the request.
   */
  flash(message: string, category = 'info'): void {
    this.#flash.push({ message, category, at: Date.now() });
  }

  /** The queued flash messages, oldest first; they are removed, so each is returned once. */
  consumeFlash(): FlashMessage[] {
    const messages = this.#flash;
    this.#flash = [];
    return messages;
  }

  /** The public view: what `JSON.stringify(session)` shows (no flash queue, no bindings). */
  toJSON(): Pick<
    SessionData,
    'id' | 'user' | 'data' | 'createdAt' | 'lastAccessedAt' | 'expiresAt'
  > {
    return {
      id: this.id,
      user: this.user,
      data: this.data,
      createdAt: this.createdAt,
      lastAccessedAt: this.lastAccessedAt,
      expiresAt: this.expiresAt,
    };
  }

  /** @internal What is stored. */
  [toRecord](): SessionRecord {
    const record: SessionRecord = {
      v: 1,
      id: this.id,
      data: this.data,
      flash: this.#flash,
      createdAt: this.createdAt,
      lastAccessedAt: this.lastAccessedAt,
      expiresAt: this.expiresAt,
    };
    if (this.user !== undefined) record.user = this.user;
    if (this.ip !== undefined) record.ip = this.ip;
    if (this.userAgent !== undefined) record.userAgent = this.userAgent;
    return record;
  }
}

/** Parses a stored record; `undefined` when it is not one of ours. */
export function parseRecord(raw: string): SessionRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const r = value as Partial<SessionRecord>;
  if (
    r.v !== 1 ||
    typeof r.id !== 'string' ||
    typeof r.createdAt !== 'number' ||
    typeof r.expiresAt !== 'number' ||
    typeof r.lastAccessedAt !== 'number'
  ) {
    return undefined;
  }
  // The parsed object is ours alone: completed in place (a spread copy costs V8's slow path).
  const record = r as SessionRecord;
  if (!record.data || typeof record.data !== 'object') record.data = {};
  if (!Array.isArray(record.flash)) record.flash = [];
  return record;
}

/**
 * What decides whether a session changed: its record as stored, with
 * `lastAccessedAt` as last saved (`accessSavedAt`), so a mere access is no
 * change. An unchanged session loaded from its stored JSON gives that JSON
 * back exactly (same fields, same order), so the stored text can stand for it.
 */
export function contentOf(session: SessionData, accessSavedAt: number): string {
  const content = session[toRecord]();
  content.lastAccessedAt = accessSavedAt;
  return JSON.stringify(content);
}
