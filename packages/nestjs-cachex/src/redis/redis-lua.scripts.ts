import { createHash } from 'node:crypto';
import { FLAGS_OFFSET, INVALIDATED_FLAGS } from './redis-entry.codec.js';

/** A Lua script run with EVALSHA (EVAL when the server does not know it yet). */
export interface LuaScript {
  readonly source: string;
  readonly sha1: string;
}

function lua(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

// Every script touches only the keys passed in KEYS, all in one Cluster slot.

/**
 * Adds an entry to an index (a sorted set scored by expiry time), drops the
 * members whose entries have expired, and keeps the index alive at least as
 * long as the entry. Server time, so app servers with skewed clocks agree.
 * KEYS: index. ARGV: member, ttl in ms.
 */
export const INDEX_ADD = lua(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1
`);

/**
 * Marks the existing entries invalidated in place (their TTL untouched) and
 * counts them; absent keys are not created. KEYS: entries.
 */
export const MARK_INVALIDATED = lua(`
local marked = 0
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('SETRANGE', key, ${FLAGS_OFFSET}, string.char(${INVALIDATED_FLAGS}))
    marked = marked + 1
  end
end
return marked
`);

/** Deletes the key only while it holds the value (a lock released by its owner). KEYS: key. ARGV: value. */
export const DELETE_IF_EQUALS = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`);

/**
 * Adds a member to a set. With a ttl the set lives at least that long (a set
 * without expiry keeps none); without one it no longer expires.
 * KEYS: set. ARGV: member, ttl in ms or ''.
 */
export const SET_ADD = lua(`
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SADD', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if not ttl then
  redis.call('PERSIST', KEYS[1])
  return 1
end
local left = redis.call('PTTL', KEYS[1])
if existed == 0 or (left >= 0 and left < ttl) then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1
`);
