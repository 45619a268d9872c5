import { encodeCursor, ProtocolError, type ChatRoom } from "@repo/protocol";
import { expect, test } from "vitest";
import { createMembershipCache } from "../../src/features/chat/membership-cache";
import { describeOnEngines, person, type Person } from "./support/chat-harness";

// F14: the membership cache behind topic reads is an LRU with a TTL; asking about rooms
// that do not exist remembers nothing, so it cannot push real answers out.

const ENTRIES = 50;

await describeOnEngines(
  "the membership cache on $name",
  (suite) => {
    async function poll(who: Person, roomId: string) {
      const response = await fetch(`${suite.chat.baseUrl}/v1/poll?cursor=${encodeURIComponent(encodeCursor({ [`chat:${roomId}`]: null }))}`, {
        headers: who.headers,
      });
      await response.body?.cancel();
      return response.status;
    }

    test("polling many unknown room ids does not flush a member's remembered answer", async () => {
      const { chat, ada } = suite;
      const { room } = await ada.ok<{ room: ChatRoom }>("chat.createRoom", { name: "Cached room" });
      expect(await poll(ada, room.id)).toBe(200);
      // Another instance removes her (this one does not hear of it): within the TTL the
      // remembered answer still lets her read. That is what makes a cache hit visible here.
      await chat.db.prisma.chatMembership.deleteMany({ where: { roomId: room.id, userId: ada.user.id } });
      expect(await poll(ada, room.id)).toBe(200);

      for (let i = 0; i < ENTRIES * 4; i++) expect(await poll(ada, `junk-${i}`)).toBe(403);
      expect(await poll(ada, room.id)).toBe(200);
    });

    test("answers for real rooms are remembered, least recently used out first (no clear-when-full)", async () => {
      const { chat, ada } = suite;
      const { room: other } = await ada.ok<{ room: ChatRoom }>("chat.createRoom", { name: "Another cached room" });
      const readers: Person[] = [];
      for (let i = 0; i < 3; i++) readers.push(await person(chat, `Reader ${i}`));
      const cache = createMembershipCache(chat.db.prisma, { ttlMs: 60_000, maxEntries: 3 });
      const lobbyMember = readers[0]!;
      await lobbyMember.ok("chat.join", { roomId: "lobby" });
      expect(await cache.isMember("lobby", lobbyMember.user.id)).toBe(true);
      // Unknown rooms: not remembered.
      for (let i = 0; i < 10; i++) expect(await cache.isMember(`nowhere-${i}`, lobbyMember.user.id)).toBe(false);
      expect(cache.size()).toBe(1);
      // Real non-member answers are remembered, up to the bound, the oldest out first.
      expect(await cache.isMember("lobby", readers[1]!.user.id)).toBe(false);
      expect(await cache.isMember("lobby", lobbyMember.user.id)).toBe(true); // now the most recent
      expect(await cache.isMember("lobby", readers[2]!.user.id)).toBe(false);
      expect(cache.size()).toBe(3);
      await chat.db.prisma.chatMembership.deleteMany({ where: { roomId: "lobby", userId: lobbyMember.user.id } });
      expect(await cache.isMember(other.id, lobbyMember.user.id)).toBe(false);
      expect(cache.size()).toBe(3);
      // Readers[1] was the coldest: gone; the member's answer survived the eviction.
      expect(await cache.isMember("lobby", lobbyMember.user.id)).toBe(true);
    });

    test("concurrent misses for one (room, user) share one database lookup", async () => {
      const { chat, ada } = suite;
      const { room } = await ada.ok<{ room: ChatRoom }>("chat.createRoom", { name: "Shared lookup room" });
      const cache = createMembershipCache(chat.db.prisma, { ttlMs: 60_000, lookups: { inFlight: 4, waiting: 0 } });
      // Twenty reads at once, four slots and no wait list: twenty separate lookups would be refused.
      const answers = await Promise.all(Array.from({ length: 20 }, () => cache.isMember(room.id, ada.user.id)));
      expect(answers).toEqual(Array.from({ length: 20 }, () => true));
      expect(cache.lookups()).toEqual({ running: 0, waiting: 0 });
    });

    test("database lookups are bounded: beyond the slots and the wait list a read is refused as rate_limited", async () => {
      const { chat, ada } = suite;
      const cache = createMembershipCache(chat.db.prisma, { ttlMs: 60_000, lookups: { inFlight: 2, waiting: 3 } });
      const reads = Array.from({ length: 12 }, (_, i) => cache.isMember(`flood-${i}`, ada.user.id));
      expect(cache.lookups()).toEqual({ running: 2, waiting: 3 });
      const settled = await Promise.allSettled(reads);
      const refused = settled.filter((result) => result.status === "rejected");
      expect(settled.filter((result) => result.status === "fulfilled" && result.value === false)).toHaveLength(5);
      expect(refused).toHaveLength(7);
      for (const result of refused) expect(result.status === "rejected" && result.reason instanceof ProtocolError && result.reason.code).toBe("rate_limited");
      expect(cache.lookups()).toEqual({ running: 0, waiting: 0 });
    });
  },
  { server: { chat: { membershipCacheMs: 60_000, membershipCacheEntries: ENTRIES } } },
);
