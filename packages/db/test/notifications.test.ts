import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  READ_BROADCASTS_ABOVE_MARK,
  createBroadcast,
  createGuestUser,
  createMentions,
  createMessage,
  ensureRoom,
  joinRoom,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  mentionRecipients,
  setNotificationPreferences,
  unreadCount,
  type Database,
} from "../src/index";
import { type Engine, engineCases } from "./engines";

const cases = await engineCases();

describe.each(cases)("notifications data on $name", ({ make, skip }) => {
  if (skip) {
    it.skip(`skipped: ${skip}`, () => {});
    return;
  }
  let engine: Engine;
  let db: Database;
  beforeAll(async () => {
    engine = await make();
    db = await engine.open();
    await ensureRoom(db.prisma, { id: "lobby", name: "Lobby" });
  });
  afterAll(async () => {
    await db?.close();
    await engine?.teardown();
  });

  it("mention recipients: members with the name ignoring case, not the author, not who muted the room; stored once", async () => {
    const ada = await createGuestUser(db.prisma, "Ada");
    const bob = await createGuestUser(db.prisma, "Bob");
    const bob2 = await createGuestUser(db.prisma, "BOB");
    const outsider = await createGuestUser(db.prisma, "bob");
    const muted = await createGuestUser(db.prisma, "Bob");
    for (const user of [ada, bob, bob2, muted]) await joinRoom(db.prisma, "lobby", user.id);
    await setNotificationPreferences(db.prisma, muted.id, { mutedRooms: ["lobby"] });
    const found = await mentionRecipients(db.prisma, { roomId: "lobby", authorId: ada.id, names: ["bob", "ada"] });
    expect(found.map((u) => u.id).sort()).toEqual([bob.id, bob2.id].sort());
    expect(found.map((u) => u.id)).not.toContain(outsider.id);

    const { message } = await createMessage(db.prisma, { roomId: "lobby", authorId: ada.id, text: "@bob" });
    const input = { roomId: "lobby", messageId: message.id, actorId: ada.id, excerpt: "@bob", userIds: [bob.id, bob2.id] };
    expect(await createMentions(db.prisma, input)).toHaveLength(2);
    expect(await createMentions(db.prisma, input)).toHaveLength(0);
    expect(await createMentions(db.prisma, { ...input, userIds: [bob.id, muted.id] })).toHaveLength(1);
    expect(await unreadCount(db.prisma, bob.id)).toBe(1);
  });

  it("broadcast read state stays a mark plus a bounded set, whatever is read one by one", async () => {
    // Both join before the broadcasts (those from before someone joined count as read for them).
    const reader = await createGuestUser(db.prisma, "Reader");
    const other = await createGuestUser(db.prisma, "Other");
    // The bound is READ_BROADCASTS_ABOVE_MARK; a small one here keeps the test quick.
    const bound = 8;
    expect(READ_BROADCASTS_ABOVE_MARK).toBe(200);
    const total = bound + 4;
    const ids: string[] = [];
    for (let i = 0; i < total; i++) ids.push((await createBroadcast(db.prisma, { title: `b${i}`, body: "x" })).id);
    const base = await unreadCount(db.prisma, reader.id);
    // Leave the oldest one unread and read all the others, newest first: nothing is contiguous with the mark.
    for (const id of ids.slice(1).reverse()) {
      expect(await markNotificationRead(db.prisma, reader.id, id, { maxReadsAboveMark: bound })).toBe("read");
      expect(await db.prisma.broadcastRead.count({ where: { userId: reader.id } })).toBeLessThanOrEqual(bound);
    }
    // Past the bound the mark moved up: the oldest unread one now counts as read (documented).
    expect(await unreadCount(db.prisma, reader.id)).toBe(base - total);

    // Reading the gap closes it: the mark moves over everything, no row is left.
    await markNotificationRead(db.prisma, other.id, ids[2]!);
    await markNotificationRead(db.prisma, other.id, ids[1]!);
    expect(await db.prisma.broadcastRead.count({ where: { userId: other.id } })).toBe(2);
    const page = await listNotifications(db.prisma, other.id, { limit: 3, before: ids[3] });
    expect(page.items.map((item) => [item.row.id, item.read])).toEqual([
      [ids[2], true],
      [ids[1], true],
      [ids[0], false],
    ]);
    expect(await markAllNotificationsRead(db.prisma, other.id)).toBe(ids.at(-1));
    expect(await db.prisma.broadcastRead.count({ where: { userId: other.id } })).toBe(0);
    expect(await unreadCount(db.prisma, other.id)).toBe(0);
    expect(await markNotificationRead(db.prisma, other.id, crypto.randomUUID())).toBe("not_found");
  });
});
