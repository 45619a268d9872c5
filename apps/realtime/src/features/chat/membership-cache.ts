import { isMember, type DbClient } from "@repo/db";

/**
 * Room membership for topic reads, which run on every poll: answers from the
 * database, remembered for a few seconds. Joins and leaves on this instance
 * update it at once; a change made on another instance shows within `ttlMs`.
 */
export function createMembershipCache(db: DbClient, options: { ttlMs: number; maxEntries?: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 50_000;
  const entries = new Map<string, { member: boolean; until: number }>();
  const keyOf = (roomId: string, userId: string) => `${roomId}\u0000${userId}`;
  /** Bumped by every join/leave, so a lookup that started before one never caches a stale answer. */
  let generation = 0;

  function store(roomId: string, userId: string, member: boolean) {
    // Crude but bounded: a full cache starts over (entries are cheap to refill).
    if (entries.size >= maxEntries) entries.clear();
    entries.set(keyOf(roomId, userId), { member, until: now() + options.ttlMs });
  }

  return {
    async isMember(roomId: string, userId: string): Promise<boolean> {
      const hit = entries.get(keyOf(roomId, userId));
      if (hit && hit.until > now()) return hit.member;
      const started = generation;
      const member = await isMember(db, roomId, userId);
      if (started === generation) store(roomId, userId, member);
      return member;
    },
    /** A join or leave on this instance: takes effect at once. */
    remember(roomId: string, userId: string, member: boolean) {
      generation++;
      store(roomId, userId, member);
    },
    clear: () => entries.clear(),
  };
}

export type MembershipCache = ReturnType<typeof createMembershipCache>;
