import { randomBytes } from "node:crypto";
import type { Topic, User } from "@repo/protocol";
import type { Redis } from "ioredis";
import { z } from "zod";
import { createPresence, type Presence, type PresenceChange } from "../presence";
import { runScript } from "./run-script";

// Keys per topic: <prefix>{<topic>}:present  sorted set "<userId>|<instance>" → lease end (ms)
//                 <prefix>{<topic>}:names    hash userId → name
// and <prefix>presence-topics, the set of topics with anyone present (what the sweep visits).

/** Unexpired leases of ARGV[2] other than ARGV[1] (the caller's own). */
const OTHERS = `
local function others(key, mine, user, now)
  local n = 0
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', key, now, '+inf')) do
    if member ~= mine and string.sub(member, 1, #user + 1) == user .. '|' then n = n + 1 end
  end
  return n
end
`;

/** KEYS: present, names, topics. ARGV: member, userId, leaseEnd, now, name, topic, keyTtlMs. Returns 1 on a global join. */
const JOIN_SCRIPT = `${OTHERS}
local alone = others(KEYS[1], ARGV[1], ARGV[2], ARGV[4]) == 0
local added = redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('PEXPIRE', KEYS[2], ARGV[7])
redis.call('SADD', KEYS[3], ARGV[6])
if alone and added == 1 then return 1 end
return 0
`;

/** KEYS: present, names. ARGV: member, userId, now. Returns 1 on a global leave. */
const LEAVE_SCRIPT = `${OTHERS}
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
if others(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) > 0 then return 0 end
redis.call('HDEL', KEYS[2], ARGV[2])
return 1
`;

/** KEYS: present, names. ARGV: userId. Every instance's lease of the user goes (they left the room). Returns 1 if any was held. */
const DROP_SCRIPT = `
local gone = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(member, 1, #ARGV[1] + 1) == ARGV[1] .. '|' then gone = gone + redis.call('ZREM', KEYS[1], member) end
end
redis.call('HDEL', KEYS[2], ARGV[1])
if gone > 0 then return 1 end
return 0
`;

/** KEYS: present, names. ARGV: now. Removes expired leases (an instance died); returns [userId, name, …] of users now gone everywhere. */
const SWEEP_SCRIPT = `${OTHERS}
local left = {}
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])) do
  redis.call('ZREM', KEYS[1], member)
  local user = string.match(member, '^(.*)|[^|]*$')
  if user and others(KEYS[1], member, user, ARGV[1]) == 0 then
    local name = redis.call('HGET', KEYS[2], user)
    if name then
      redis.call('HDEL', KEYS[2], user)
      table.insert(left, user)
      table.insert(left, name)
    end
  end
end
return left
`;

const SweepReply = z.array(z.string());

export interface SharedPresenceOptions {
  redis: Redis;
  ttlMs: number;
  keyPrefix?: string;
  now?: () => number;
  /** A Redis call failed (presence is a hint: the local view carries on). */
  onError?: (error: unknown) => void;
}

/**
 * Presence across instances: each instance keeps its own view (the in-process
 * presence: holds of its streams, polls' TTLs) and mirrors it into Redis as
 * leases, one per (user, instance), renewed while present. A user is present
 * while any instance holds a lease; joins and leaves are announced once for all
 * instances, by the instance whose change made them (atomic scripts), and the
 * leases of an instance that died expire and are announced by whichever
 * instance sweeps first. `list` is this instance's view; `listAll` everyone's.
 */
export function createSharedPresence(options: SharedPresenceOptions): Presence {
  const { redis, ttlMs } = options;
  const now = options.now ?? Date.now;
  const prefix = options.keyPrefix ?? "sb:";
  const instance = randomBytes(6).toString("base64url");
  const local = createPresence({ ttlMs, now });
  const listeners = new Set<(change: PresenceChange) => void>();
  /** What this instance has leased, per topic: renewed each beat. */
  const leased = new Map<Topic, Map<string, User>>();
  const present = (topic: Topic) => `${prefix}{${topic}}:present`;
  const names = (topic: Topic) => `${prefix}{${topic}}:names`;
  const topicsKey = `${prefix}presence-topics`;
  const keyTtlMs = ttlMs * 4;
  const member = (userId: string) => `${userId}|${instance}`;
  const failed = (error: unknown) => options.onError?.(error);

  function emit(change: PresenceChange) {
    for (const listener of listeners) listener(change);
  }

  // Local transitions become leases; a global transition is announced here.
  local.onChange((change) => {
    const { topic, user } = change;
    if (change.present) {
      let users = leased.get(topic);
      if (!users) leased.set(topic, (users = new Map<string, User>()));
      users.set(user.id, user);
      runScript(redis, JOIN_SCRIPT, [present(topic), names(topic), topicsKey], [member(user.id), user.id, now() + ttlMs, now(), user.name, topic, keyTtlMs])
        .then((joined) => {
          if (joined === 1) emit(change);
        })
        .catch(failed);
    } else {
      leased.get(topic)?.delete(user.id);
      if (leased.get(topic)?.size === 0) leased.delete(topic);
      runScript(redis, LEAVE_SCRIPT, [present(topic), names(topic)], [member(user.id), user.id, now()])
        .then((left) => {
          if (left === 1) emit(change);
        })
        .catch(failed);
    }
  });

  async function sweepShared() {
    const topics = await redis.smembers(topicsKey);
    for (const topic of topics) {
      const reply = SweepReply.parse(await runScript(redis, SWEEP_SCRIPT, [present(topic), names(topic)], [now()]));
      for (let i = 0; i + 1 < reply.length; i += 2) emit({ topic, user: { id: reply[i]!, name: reply[i + 1]! }, present: false });
      if ((await redis.zcard(present(topic))) === 0) await redis.srem(topicsKey, topic);
    }
  }

  // Each beat: renew this instance's leases (only those still there: a drop elsewhere removed them), then sweep the dead.
  const beat = setInterval(
    () => {
      const pipeline = redis.pipeline();
      for (const [topic, users] of leased) {
        for (const userId of users.keys()) pipeline.zadd(present(topic), "XX", now() + ttlMs, member(userId));
        pipeline.pexpire(present(topic), keyTtlMs).pexpire(names(topic), keyTtlMs);
      }
      pipeline
        .exec()
        .then(() => sweepShared())
        .catch(failed);
    },
    Math.max(100, Math.floor(ttlMs / 3)),
  );
  beat.unref();

  return {
    track: (kind) => local.track(kind),
    touch: (user, topics) => local.touch(user, topics),
    hold: (user, topics) => local.hold(user, topics),
    drop(user, topic) {
      local.drop(user, topic);
      // Gone from the room: every instance's lease goes, announced once.
      runScript(redis, DROP_SCRIPT, [present(topic), names(topic)], [user.id])
        .then((dropped) => {
          if (dropped === 1) emit({ topic, user: { id: user.id, name: user.name }, present: false });
        })
        .catch(failed);
    },
    list: (topic) => local.list(topic),
    async listAll(topic) {
      const members = await redis.zrangebyscore(present(topic), now(), "+inf");
      const ids = [...new Set(members.map((entry) => entry.slice(0, entry.lastIndexOf("|"))))];
      if (ids.length === 0) return [];
      const found = await redis.hmget(names(topic), ...ids);
      return ids.flatMap((id, i) => (found[i] ? [{ id, name: found[i] }] : []));
    },
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    sweep: () => local.sweep(),
    close() {
      clearInterval(beat);
      local.close();
      listeners.clear();
      leased.clear();
    },
  };
}
