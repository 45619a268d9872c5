// Lua scripts of the game leases (cluster/game-keys.ts names the keys). Each is
// atomic, so a lease has one holder and its fencing token only grows: a holder
// whose token is no longer the fence's can neither renew nor publish.

/** Redis's own clock in ms: every instance's deadlines are on one clock. */
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * KEYS: lease, fence, index. ARGV: instance, leaseMs, keepMs, gameId.
 * Takes a free lease: returns the new fencing token, or 0 when it is held.
 */
export const ACQUIRE_SCRIPT = `${NOW}
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return token
`;

/**
 * KEYS: lease, fence, room, inputs, index. ARGV: instance, token, leaseMs, keepMs, gameId.
 * Renews a lease whose token is still the fence's (also after a short lapse nobody used);
 * returns 1, or 0 when another instance has taken the game.
 */
export const RENEW_SCRIPT = `${NOW}
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
redis.call('PEXPIRE', KEYS[4], ARGV[4])
redis.call('ZADD', KEYS[5], now + tonumber(ARGV[3]), ARGV[5])
redis.call('PEXPIRE', KEYS[5], ARGV[4])
return 1
`;

/**
 * KEYS: lease, fence, index. ARGV: token, gameId.
 * This instance stops (a graceful shutdown): the lease is freed and the game marked
 * due, so the next instance to scan takes it over at once. The record stays.
 */
export const HAND_OFF_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZADD', KEYS[3], 0, ARGV[2])
return 1
`;

/** KEYS: lease, fence, room, inputs, index. ARGV: token, gameId. The game closed: everything of it goes. */
export const FORGET_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('ZREM', KEYS[5], ARGV[2])
return 1
`;

/** KEYS: index. ARGV: max. Games whose lease deadline has passed (their owner stopped renewing). */
export const DUE_SCRIPT = `${NOW}
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
`;
