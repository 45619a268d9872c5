// The Redis hub's two Lua scripts. Each runs atomically, so an offset is never
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
 * KEYS: log, meta. ARGV: data, ts, maxCount, cutoff, logTtlMs, metaTtlMs, newEpoch, channel.
 * Returns { offset, epoch }. Publishes "<epoch> <offset> <ts> <data>" on the channel.
 */
export const PUBLISH_SCRIPT = `${TRIM_BY_AGE}
local log, meta = KEYS[1], KEYS[2]
local epoch = redis.call('HGET', meta, 'e')
if not epoch then
  epoch = ARGV[7]
  redis.call('HSET', meta, 'e', epoch, 's', 0)
end
local offset = redis.call('HINCRBY', meta, 's', 1)
redis.call('HSET', meta, 't', ARGV[2])
redis.call('PEXPIRE', meta, ARGV[6])
-- A new epoch: whatever log is left belongs to the lost one.
if offset == 1 then redis.call('DEL', log) end
redis.call('XADD', log, 'MAXLEN', ARGV[3], offset .. '-0', 't', ARGV[2], 'd', ARGV[1])
trim_by_age(log, tonumber(ARGV[4]))
redis.call('PEXPIRE', log, ARGV[5])
redis.call('PUBLISH', ARGV[8], epoch .. ' ' .. offset .. ' ' .. ARGV[2] .. ' ' .. ARGV[1])
return { offset, epoch }
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
