// The Redis hub's Lua scripts. Each runs atomically, so an offset is never
// assigned twice, never skipped, and the live copy leaves in offset order.
// Keys per topic (one hash tag, so a cluster keeps them on one slot):
//   <prefix>{<topic>}:meta  hash  e = epoch, s = head offset, t = last publish (ms)
//   <prefix>{<topic>}:log   stream, entry id "<offset>-0", fields t (ms) and d (JSON {type, payload})
// Modelled on Centrifugo's Redis engine (research-2026-12.md §2.3).

/**
 * Drops entries older than the cutoff from the head of the log (events are in
 * time order, so only the head is looked at). Bounded per call: a log is never
 * more than `count` long, and the rest goes on the next call or by the key's TTL.
 */
const TRIM_BY_AGE = `
local function trim_by_age(log, cutoff)
  for _ = 1, 64 do
    local oldest = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)[1]
    if not oldest then return end
    if tonumber(oldest[2][2]) >= cutoff then return end
    redis.call('XDEL', log, oldest[1])
  end
end
`;

/**
 * Appends one event and publishes its live copy: the body of both publish scripts.
 * A: data, ts, maxCount, cutoff, logTtlMs, metaTtlMs, newEpoch, channel (ARGV[1..8]).
 */
const APPEND_EVENT = `
local function append_event(log, meta, A)
  local epoch = redis.call('HGET', meta, 'e')
  if not epoch then
    epoch = A[7]
    redis.call('HSET', meta, 'e', epoch, 's', 0)
  end
  local offset = redis.call('HINCRBY', meta, 's', 1)
  redis.call('HSET', meta, 't', A[2])
  redis.call('PEXPIRE', meta, A[6])
  -- A new epoch: whatever log is left belongs to the lost one.
  if offset == 1 then redis.call('DEL', log) end
  redis.call('XADD', log, 'MAXLEN', A[3], offset .. '-0', 't', A[2], 'd', A[1])
  trim_by_age(log, tonumber(A[4]))
  redis.call('PEXPIRE', log, A[5])
  redis.call('PUBLISH', A[8], epoch .. ' ' .. offset .. ' ' .. A[2] .. ' ' .. A[1])
  return { offset, epoch }
end
`;

/**
 * KEYS: log, meta. ARGV: data, ts, maxCount, cutoff, logTtlMs, metaTtlMs, newEpoch, channel.
 * Returns { offset, epoch }. Publishes "<epoch> <offset> <ts> <data>" on the channel.
 */
export const PUBLISH_SCRIPT = `${TRIM_BY_AGE}${APPEND_EVENT}
return append_event(KEYS[1], KEYS[2], ARGV)
`;

/**
 * A publish guarded by a fencing token (a game's lease, see features/game/cluster):
 * it happens only while KEYS[3] holds ARGV[9], else the reply is a STALE_FENCE error
 * and nothing is written. With it, in the same step: KEYS[4] (a hash) gets
 * v = ARGV[10] and the event's position (e, o), and expires after ARGV[11] ms;
 * ARGV[12..] are appended to the list KEYS[5] (same expiry).
 * KEYS: log, meta, fence, record, list. ARGV: the eight of PUBLISH_SCRIPT, token, record, ttlMs, values…
 */
export const FENCED_PUBLISH_SCRIPT = `${TRIM_BY_AGE}${APPEND_EVENT}
if redis.call('GET', KEYS[3]) ~= ARGV[9] then return redis.error_reply('STALE_FENCE the fencing token has moved on') end
local published = append_event(KEYS[1], KEYS[2], ARGV)
redis.call('HSET', KEYS[4], 'v', ARGV[10], 'e', published[2], 'o', published[1])
redis.call('PEXPIRE', KEYS[4], ARGV[11])
if #ARGV >= 12 then
  for i = 12, #ARGV do redis.call('RPUSH', KEYS[5], ARGV[i]) end
  redis.call('PEXPIRE', KEYS[5], ARGV[11])
end
return published
`;

/**
 * KEYS: log, meta. ARGV: after (an offset, or -1 for none), limit, cutoff, metaTtlMs, newEpoch.
 * Returns { epoch, head, lastPublishedAt, firstOffset, entries } where firstOffset is the
 * oldest retained offset (head + 1 when nothing is retained) and entries are the log's
 * entries after `after`, at most `limit`. Creates the epoch of a topic never seen.
 */
export const READ_SCRIPT = `${TRIM_BY_AGE}
local log, meta = KEYS[1], KEYS[2]
local epoch = redis.call('HGET', meta, 'e')
if not epoch then
  epoch = ARGV[5]
  redis.call('HSET', meta, 'e', epoch, 's', 0)
end
redis.call('PEXPIRE', meta, ARGV[4])
local head = tonumber(redis.call('HGET', meta, 's'))
local published = tonumber(redis.call('HGET', meta, 't') or '0')
trim_by_age(log, tonumber(ARGV[3]))
local first = head + 1
local oldest = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)[1]
if oldest then first = tonumber(string.match(oldest[1], '^(%d+)')) end
local entries = {}
local after = tonumber(ARGV[1])
if after >= 0 and after < head then
  entries = redis.call('XRANGE', log, '(' .. after .. '-0', '+', 'COUNT', ARGV[2])
end
return { epoch, head, published, first, entries }
`;
