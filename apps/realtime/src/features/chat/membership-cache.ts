import { membershipOf, type DbClient } from "@repo/db";
import { LRUCache } from "lru-cache";

/**
 * Room membership for topic reads, which run on every poll: answers from the
 * database, remembered for a few seconds. Joins and leaves on this instance
 * update it at once; a change made on another instance shows within `ttlMs`.
 *
 * A least-recently-used cache with a TTL: when full, the coldest answers go
 * (no clear-everything cliff, F14). No answer is kept for a room that does not
 * exist, so asking about random room ids cannot push real entries out.
 */
export function createMembershipCache(db: DbClient, options: { ttlMs: number; maxEntries?: number; now?: () => number }) {
  const entries = new LRUCache<string, boolean>({
    max: options.maxEntries ?? 50_000,
    ttl: Math.max(1, options.ttlMs),
    ...(options.now ? { perf: { now: options.now } } : {}),
  });
  const keyOf = (roomId: string, userId: string) => `${roomId}\u0000${userId}`;
  /** Bumped by every join/leave, so a lookup that started before one never caches a stale answer. */
  let generation = 0;

  return {
    async isMember(roomId: string, userId: string): Promise<boolean> {
      const key = keyOf(roomId, userId);
      const hit = entries.get(key);
      if (hit !== undefined) return hit;
      const started = generation;
      const answer = await membershipOf(db, roomId, userId);
      if (answer === "none") return false;
      if (started === generation) entries.set(key, answer === "member");
      return answer === "member";
    },
    /** A join or leave on this instance: takes effect at once. */
    remember(roomId: string, userId: string, member: boolean) {
      generation++;
      entries.set(keyOf(roomId, userId), member);
    },
    /** A change made elsewhere (a leave on another instance): the next lookup asks the database. */
    forget(roomId: string, userId: string) {
      generation++;
      entries.delete(keyOf(roomId, userId));
    },
    clear: () => entries.clear(),
    /** How many answers are remembered (for tests and metrics). */
    size: () => entries.size,
  };
}

export type MembershipCache = ReturnType<typeof createMembershipCache>;
