/**
 * A set as one memcached value. Memcached does not tell how long an item has
 * left, so the set carries its own deadline, needed to rewrite it.
 */
export interface StoredSet {
  members: string[];
  /** When the set expires, in epoch ms; 0: never. */
  expiresAt: number;
}

/** One change to a set: `setAdd` (the set then lives at least `ttlSeconds`) or `setRemove`. */
export type SetChange = { add: string; ttlSeconds?: number } | { remove: string };

/** The stored form: `{"m":[members],"e":expiresAt}`. */
export function encodeSet(set: StoredSet): string {
  return JSON.stringify({ m: set.members, e: set.expiresAt });
}

/** Reads `encodeSet`'s output; an expired or unreadable set is `undefined`. */
export function decodeSet(value: string, nowMs = Date.now()): StoredSet | undefined {
  let parsed: { m?: unknown; e?: unknown };
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed?.m) || typeof parsed.e !== 'number') return undefined;
  if (parsed.e !== 0 && parsed.e <= nowMs) return undefined;
  return {
    members: parsed.m.filter((m): m is string => typeof m === 'string'),
    expiresAt: parsed.e,
  };
}

/**
 * Applies changes in order, as `MemoryBackend` does: a set lives as long as
 * its longest-lived member needs it, and an `add` without a lifetime makes it
 * live until removed. `undefined` when the set ends up empty.
 */
export function applySetChanges(
  current: StoredSet | undefined,
  changes: SetChange[],
  nowMs = Date.now(),
): StoredSet | undefined {
  const members = new Set(current?.members);
  let expiresAt = current?.expiresAt;
  for (const change of changes) {
    if ('remove' in change) {
      members.delete(change.remove);
      continue;
    }
    members.add(change.add);
    if (change.ttlSeconds === undefined) expiresAt = 0;
    else {
      const wanted = nowMs + Math.ceil(change.ttlSeconds) * 1000;
      expiresAt =
        expiresAt === undefined ? wanted : expiresAt === 0 ? 0 : Math.max(expiresAt, wanted);
    }
  }
  if (members.size === 0) return undefined;
  return { members: [...members], expiresAt: expiresAt ?? 0 };
}

/** The lifetime to give the stored set, in seconds; `undefined`: no expiry. */
export function setTtlSeconds(set: StoredSet, nowMs = Date.now()): number | undefined {
  return set.expiresAt === 0 ? undefined : Math.max(1, Math.ceil((set.expiresAt - nowMs) / 1000));
}
