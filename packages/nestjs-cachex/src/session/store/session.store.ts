import { createHash } from 'node:crypto';

import { type KeyValueStore } from '../../backends/cache-backend.js';
import { type Clock } from '../../common/clock.js';
import { withTimeout } from '../../common/with-timeout.js';
import {
  contentOf,
  destroyed,
  parseRecord,
  SessionData,
  type SessionRecord,
  toRecord,
} from '../session-data.js';
import { isExpired } from '../rules/session-expiry.js';
import { type ResolvedSessionOptions } from '../session-options.js';
import { SessionUnavailableError } from '../session.errors.js';

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

/** A session record as loaded, with the JSON it was stored as. */
export interface StoredRecord {
  record: SessionRecord;
  stored: string;
}

/** What was last written for a session object; decides whether to save again. */
interface Snapshot {
  content: string;
  userId: string | undefined;
  accessSavedAt: number;
  indexedUntil: number;
}

type StoreOptions = Pick<ResolvedSessionOptions, 'ttl' | 'absoluteTimeout' | 'backendTimeoutMs'>;

/**
 * How sessions are kept in a `KeyValueStore` namespace; internal. Three kinds
 * of keys:
 *
 * - `s:<id>`: the session record (JSON), expiring a little after the session;
 * - `u:<hash of user id>`: the set of a user's session ids, so "log out
 *   everywhere" reads one user's index, never the whole store;
 * - `users:<0..63>`: shards of the set of user ids with sessions, walked by
 *   `clearExpired` to prune indexes of sessions the backend already expired.
 *
 * It also remembers, per session object, what was last written, so an
 * unchanged session is not saved again. Every call is bounded by
 * `backendTimeoutMs`; any failure is a `SessionUnavailableError`.
 */
export class SessionStore {
  private readonly snapshots = new WeakMap<SessionData, Snapshot>();
  private readonly touchIntervalMs: number;

  constructor(
    private readonly store: KeyValueStore,
    private readonly options: StoreOptions,
    private readonly clock: Clock,
  ) {
    this.touchIntervalMs = Math.min(60_000, options.ttl * 100);
  }

  /**
   * The stored record of session `id` and its stored JSON; `undefined` when
   * there is none, `'unreadable'` when what is stored is not a session record
   * of that id.
   */
  async read(id: string): Promise<StoredRecord | 'unreadable' | undefined> {
    const stored = await this.io('get', () => this.store.get(sessionKey(id)));
    if (stored === undefined) return undefined;
    const record = parseRecord(stored);
    return record === undefined || record.id !== id ? 'unreadable' : { record, stored };
  }

  /** Whether a record is stored under session `id`. */
  async exists(id: string): Promise<boolean> {
    return (await this.io('get', () => this.store.get(sessionKey(id)))) !== undefined;
  }

  /**
   * Stores the record and keeps the user indexes right; then remembers what
   * was written. A session this process loaded or wrote before is only
   * rewritten while its record still exists, so a save or renewal in flight
   * never brings back a session destroyed meanwhile (the logout sticks);
   * `false` then, and nothing is written.
   */
  async write(session: SessionData): Promise<boolean> {
    const record = session[toRecord]();
    const previous = this.snapshots.get(session);
    const ttl = storeTtl(record.expiresAt, this.clock.now());
    const raw = JSON.stringify(record);
    const key = sessionKey(record.id);
    if (previous === undefined) {
      await this.io('set', () => this.store.set(key, raw, ttl));
    } else if (!(await this.io('replace', () => this.store.replace(key, raw, ttl)))) {
      session[destroyed] = true;
      return false;
    }

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
        this.io('setAdd', () => this.store.setAdd(shardKey(shardOf(userId)), userId, indexTtl)),
      ]);
    }
    this.remember(session, record.lastAccessedAt, raw);
    return true;
  }

  /**
   * Records that `session` is what the store holds (it was just loaded or
   * written), with its last access as saved at `accessSavedAt`; `stored` is
   * the JSON it was loaded from or written as, which stands for its content
   * (see `contentOf`) without serialising it again.
   */
  remember(session: SessionData, accessSavedAt: number, stored: string): void {
    this.snapshots.set(session, {
      content: stored,
      userId: session.user?.id,
      accessSavedAt,
      indexedUntil: session.expiresAt,
    });
  }

  /**
   * Whether the object differs from what was stored for it: its content
   * changed, or its last access is old enough to be worth persisting.
   */
  needsSave(session: SessionData): boolean {
    if (session[destroyed]) return false;
    const snapshot = this.snapshots.get(session);
    if (snapshot === undefined) return true;
    return (
      contentOf(session, snapshot.accessSavedAt) !== snapshot.content ||
      session.lastAccessedAt - snapshot.accessSavedAt >= this.touchIntervalMs
    );
  }

  /** Deletes session `id` and its index entry (its user read from the record); `true` when it existed. */
  async remove(id: string): Promise<boolean> {
    const raw = await this.io('get', () => this.store.get(sessionKey(id)));
    return this.deleteRecord(id, raw === undefined ? undefined : parseRecord(raw)?.user?.id);
  }

  /**
   * Deletes this object's session and its index entry, its user known from
   * when it was loaded or saved here (else read from the record).
   */
  async removeSession(session: SessionData): Promise<void> {
    const snapshot = this.snapshots.get(session);
    if (snapshot === undefined) await this.remove(session.id);
    else await this.deleteRecord(session.id, snapshot.userId);
  }

  /** Deletes every session of a user; the count deleted. */
  async removeUserSessions(userId: string): Promise<number> {
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

  /** The live sessions of a user, oldest first; prunes the index of those that are gone. */
  async userSessions(userId: string): Promise<SessionData[]> {
    const index = userKey(userId);
    const ids = await this.io('setMembers', () => this.store.setMembers(index));
    const now = this.clock.now();
    const sessions = await Promise.all(
      ids.map(async (id) => {
        const raw = await this.io('get', () => this.store.get(sessionKey(id)));
        const record = raw === undefined ? undefined : parseRecord(raw);
        if (
          raw === undefined ||
          record === undefined ||
          isExpired(this.options, record, now) ||
          record.user?.id !== userId
        ) {
          await this.io('setRemove', () => this.store.setRemove(index, id));
          return undefined;
        }
        const session = SessionData.fromRecord(record);
        this.remember(session, record.lastAccessedAt, raw);
        return session;
      }),
    );
    return sessions
      .filter((s): s is SessionData => s !== undefined)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * Walks every user shard, deletes expired records still held and prunes
   * the indexes of sessions that are gone; the count removed.
   */
  async clearExpired(): Promise<number> {
    const now = this.clock.now();
    let removed = 0;
    for (let shard = 0; shard < USER_SHARDS; shard++) {
      const shardIndex = shardKey(shard);
      const userIds = await this.io('setMembers', () => this.store.setMembers(shardIndex));
      const counts = await Promise.all(
        userIds.map((userId) => this.pruneUser(userId, shardIndex, now)),
      );
      removed += counts.reduce((a, b) => a + b, 0);
    }
    return removed;
  }

  /** Prunes one user's index (and drops the user from its shard once empty); the count removed. */
  private async pruneUser(userId: string, shardIndex: string, now: number): Promise<number> {
    const index = userKey(userId);
    const ids = await this.io('setMembers', () => this.store.setMembers(index));
    let gone = 0;
    await Promise.all(
      ids.map(async (id) => {
        const raw = await this.io('get', () => this.store.get(sessionKey(id)));
        const record = raw === undefined ? undefined : parseRecord(raw);
        if (record !== undefined && !isExpired(this.options, record, now)) return;
        if (raw !== undefined) await this.io('delete', () => this.store.delete(sessionKey(id)));
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
  }

  /** Deletes a record and, when it has a user, its entry in that user's index. */
  private async deleteRecord(id: string, userId: string | undefined): Promise<boolean> {
    const deleted = await this.io('delete', () => this.store.delete(sessionKey(id)));
    if (userId !== undefined) {
      await this.io('setRemove', () => this.store.setRemove(userKey(userId), id));
    }
    return deleted;
  }

  /** Runs one backend call within `backendTimeoutMs`; any failure becomes `SessionUnavailableError`. */
  private async io<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      // `call()` inside the try: a backend that throws instead of rejecting is caught too.
      return await withTimeout(call(), this.options.backendTimeoutMs, `session store ${operation}`);
    } catch (error) {
      throw new SessionUnavailableError(`session store ${operation} failed`, error);
    }
  }
}

function storeTtl(expiresAt: number, now: number): number {
  return Math.max(1, Math.ceil((expiresAt - now) / 1000)) + GRACE_SECONDS;
}

function sessionKey(id: string): string {
  return `s:${id}`;
}

/** User ids are hashed into keys: any string is a valid id, any backend a valid store. */
function userKey(userId: string): string {
  return `u:${createHash('sha256').update(userId).digest('base64url')}`;
}

function shardOf(userId: string): number {
  return createHash('sha256').update(userId).digest()[0]! % USER_SHARDS;
}

function shardKey(shard: number): string {
  return `users:${shard}`;
}
