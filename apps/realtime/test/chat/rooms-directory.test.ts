import { CHAT_LIMITS, ChatRoomsResponse, ErrorResponse, type ChatRoom } from "@repo/protocol";
import { expect, test } from "vitest";
import { describeOnEngines, type Person } from "./support/chat-harness";

// F9: the room directory is read a page at a time (keyset on createdAt, id), whatever the table holds.

await describeOnEngines("the room directory on $name", (suite) => {
  async function page(who: Person, query = "") {
    const { status, body } = await who.get<unknown>(`/v1/chat/rooms${query}`);
    expect(status).toBe(200);
    return ChatRoomsResponse.parse(body);
  }

  async function everyPage(who: Person, params: Record<string, string> = {}) {
    const pages: ChatRoomsResponse[] = [];
    let after: string | null = null;
    do {
      const search = new URLSearchParams({ ...params, ...(after ? { after } : {}) });
      const current = await page(who, `?${search.toString()}`);
      pages.push(current);
      after = current.nextCursor;
    } while (after !== null && pages.length < 100);
    return pages;
  }

  test("120 rooms (many created in the same millisecond) come in bounded pages, in order, each once", async () => {
    const { chat, ada, bob } = suite;
    // Just after the lobby, in groups of four that share a creation time: the id breaks the tie.
    const lobby = await chat.db.prisma.chatRoom.findUniqueOrThrow({ where: { id: "lobby" } });
    const base = lobby.createdAt.getTime() + 1;
    const rows = Array.from({ length: 120 }, (_, i) => ({
      id: `bulk-${String(119 - i).padStart(3, "0")}`,
      name: i % 10 === 0 ? `Tenth ${i} 100%_off` : `Bulk room ${i}`,
      createdById: ada.user.id,
      createdAt: new Date(base + Math.floor(i / 4)),
    }));
    await chat.db.prisma.chatRoom.createMany({ data: rows });
    await chat.db.prisma.chatMembership.create({ data: { roomId: "bulk-007", userId: bob.user.id } });
    const all = await chat.db.prisma.chatRoom.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true } });

    const pages = await everyPage(bob);
    for (const current of pages) expect(current.rooms.length).toBeLessThanOrEqual(CHAT_LIMITS.roomsPageDefault);
    expect(pages.slice(0, -1).every((current) => current.rooms.length === CHAT_LIMITS.roomsPageDefault)).toBe(true);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    const listed = pages.flatMap((current) => current.rooms);
    expect(listed.map((room) => room.id)).toEqual(all.map((room) => room.id));
    expect(listed[0]).toMatchObject({ id: "lobby" });
    expect(listed.find((room) => room.id === "bulk-007")).toMatchObject({ joined: true, members: 1 });
    expect(listed.find((room) => room.id === "bulk-008")).toMatchObject({ joined: false, members: 0 });

    // Other page sizes, up to the maximum; a room created meanwhile shows up at the end, nothing shifts.
    const big = await everyPage(bob, { limit: String(CHAT_LIMITS.roomsPageMax) });
    expect(big[0]!.rooms).toHaveLength(CHAT_LIMITS.roomsPageMax);
    expect(big.flatMap((current) => current.rooms).map((room) => room.id)).toEqual(all.map((room) => room.id));
    const second = await page(bob, `?limit=7&after=${encodeURIComponent((await page(bob, "?limit=7")).nextCursor!)}`);
    const { room: fresh } = await ada.ok<{ room: ChatRoom }>("chat.createRoom", { name: "Brand new room" });
    const secondAgain = await page(bob, `?limit=7&after=${encodeURIComponent((await page(bob, "?limit=7")).nextCursor!)}`);
    expect(secondAgain).toEqual(second);
    expect((await everyPage(bob)).flatMap((current) => current.rooms).at(-1)).toMatchObject({ id: fresh.id, joined: false });
  });

  test("search by name: case-insensitive, paged too, wildcards are literal", async () => {
    const { bob } = suite;
    const tenth = (await everyPage(bob, { q: "tenth", limit: "5" })).flatMap((current) => current.rooms);
    expect(tenth.map((room) => room.name)).toEqual(Array.from({ length: 12 }, (_, i) => `Tenth ${i * 10} 100%_off`));
    expect((await page(bob, `?q=${encodeURIComponent("0%_o")}`)).rooms).toHaveLength(12);
    expect((await page(bob, `?q=${encodeURIComponent("%")}`)).rooms.every((room) => room.name.includes("%"))).toBe(true);
    expect((await page(bob, `?q=${encodeURIComponent("_")}`)).rooms.every((room) => room.name.includes("_"))).toBe(true);
    expect((await page(bob, "?q=nothing-like-this")).rooms).toEqual([]);
    // An empty search is no filter.
    expect((await page(bob, "?q=")).rooms).toEqual((await page(bob)).rooms);
  });

  test("bad queries are typed 400s", async () => {
    const { bob } = suite;
    for (const query of [
      `?limit=${CHAT_LIMITS.roomsPageMax + 1}`,
      "?limit=0",
      "?limit=ten",
      "?after=not-a-cursor",
      "?after=zzzzzzzzzzzz.lobby",
      "?after=1.lobby&after=2.lobby",
      `?q=${"x".repeat(CHAT_LIMITS.roomSearchChars * 4 + 1)}`,
      "?q=%00",
    ]) {
      const { status, body } = await bob.get<unknown>(`/v1/chat/rooms${query}`);
      expect(status, query).toBe(400);
      expect(ErrorResponse.parse(body).error.code).toBe("validation");
    }
  });
});
