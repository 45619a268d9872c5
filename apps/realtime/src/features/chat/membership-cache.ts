import { membershipOf, type DbClient } from "@repo/db";
import { ProtocolError } from "@repo/protocol";
import { LRUCache } from "lru-cache";

/** Database lookups in flight at once; the rest wait their turn. */
const LOOKUPS_IN_FLIGHT = 8;
/** Lookups allowed to wait; beyond this a read is refused (`rate_limited`) instead of queueing without end. */
const LOOKUPS_WAITING = 2000;

export interface MembershipCacheOptions {
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
  /** Database lookups at once (default 8) and waiting (default 2,000). */
  lookups?: { inFlight: number; waiting: number };
}

/**
 * Room membership for topic reads, which run on every poll: answers from the
 * database, remembered for a while. Joins and leaves on this instance update
 * it at once; a leave elsewhere arrives as a read revocation (forget); the TTL
 * is the backstop for one missed.
 *
 * A least-recently-used cache with a TTL: when full, the coldest answers go
 * (no clear-everything cliff, F14). No answer is kept for a room that does not
 * exist, so asking about random room ids cannot push real entries out.
 *
 * The database is protected from the polls: concurrent misses for one (room,
 * user) share one lookup; each answer's TTL is spread over ttl…1.5·ttl, so a
 * thousand readers who joined together do not all expire in the same second;
 * and lookups run at most `inFlight` at a time with a bounded wait list: a
 * flood of reads about unknown rooms is refused cheaply, never a database queue
 * that starves everyone (one core held a thousand pollers up on this).
 */
/** How long a "not a member" answer is kept (a join made on another instance shows within it). */
const NOT_MEMBER_TTL_MS = 2000;

export function createMembershipCache(db: DbClient, options: MembershipCacheOptions) {
  const ttlMs = Math.max(1, options.ttlMs);
  const entries = new LRUCache<string, boolean>({
    max: options.maxEntries ?? 50_000,
    ttl: ttlMs,
    ...(options.now ? { perf: { now: options.now } } : {}),
  });
  const limits = options.lookups ?? { inFlight: LOOKUPS_IN_FLIGHT, waiting: LOOKUPS_WAITING };
  const keyOf = (roomId: string, userId: string) => `${roomId}\u0000${userId}`;
  /** Bumped by every join/leave, so a lookup that started before one never caches a stale answer. */
  let generation = 0;
  const pending = new Map<string, Promise<boolean>>();
  const waiting: Array<() => void> = [];
  let running = 0;

  async function withLookupSlot<T>(run: () => Promise<T>): Promise<T> {
    if (running >= limits.inFlight) {
      if (waiting.length >= limits.waiting) {
        throw new ProtocolError("rate_limited", "Too many room checks at once; try again shortly", { retryAfter: 1 });
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    running++;
    try {
      return await run();
    } finally {
      running--;
      waiting.shift()?.();
    }
  }

  async function lookUp(key: string, roomId: string, userId: string): Promise<boolean> {
    const started = generation;
    const answer = await withLookupSlot(() => membershipOf(db, roomId, userId));
    if (answer === "none") return false;
    // Spread: ttl plus up to half again, so answers cached together expire apart. A "not a
    // member" is kept briefly: a join on another instance does not travel, so it shows when this expires.
    const ttl = answer === "member" ? Math.round(ttlMs * (1 + Math.random() / 2)) : Math.min(ttlMs, NOT_MEMBER_TTL_MS);
    if (started === generation) entries.set(key, answer === "member", { ttl });
    return answer === "member";
  }

  return {
    async isMember(roomId: string, userId: string): Promise<boolean> {
      const key = keyOf(roomId, userId);
      const hit = entries.get(key);
      if (hit !== undefined) return hit;
      const inFlight = pending.get(key);
      if (inFlight) return inFlight;
      const lookup = lookUp(key, roomId, userId).finally(() => pending.delete(key));
      pending.set(key, lookup);
      return lookup;
    },
    /** A join or leave on this instance: takes effect at once. */
    remember(roomId: string, userId: string, member: boolean) {
      generation++;
      pending.delete(keyOf(roomId, userId));
      entries.set(keyOf(roomId, userId), member);
    },
    /** A change made elsewhere (a leave on another instance): the next lookup asks the database. */
    forget(roomId: string, userId: string) {
      generation++;
      pending.delete(keyOf(roomId, userId));
      entries.delete(keyOf(roomId, userId));
    },
    clear: () => entries.clear(),
    /** How many answers are remembered (for tests and metrics). */
    size: () => entries.size,
    /** Database lookups running and waiting now (for tests). */
    lookups: () => ({ running, waiting: waiting.length }),
  };
}

export type MembershipCache = ReturnType<typeof createMembershipCache>;
