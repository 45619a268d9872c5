import { CHAT_LIMITS, NotifyEvent, type ChatMessage } from "@repo/protocol";
import { expect, test } from "vitest";
import { commandId } from "../chat/support/chat-harness";
import { mustSubscribe } from "../chat/support/wire";
import { describeOnNotifyEngines, mentionsIn, notificationsOf, ownCursor, person, room, waitFor } from "./support/notify-harness";

await describeOnNotifyEngines("mentions on $name", (suite) => {
  test("a mention notifies the mentioned member only: not the author, not others, not non-members", async () => {
    const { ada, bob, carol, service } = suite;
    const dave = await person(service, "Dave");
    const { id: roomId } = await room(ada, bob, carol);
    const before = await notificationsOf(carol);
    const { message } = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId, text: "hi @bob, and @Ada (me) and @Dave (not here)" });

    const [mention, ...rest] = await mentionsIn(bob, roomId);
    expect(rest).toEqual([]);
    expect(mention).toMatchObject({ kind: "mention", read: false, roomId, messageId: message.id, author: ada.user, excerpt: message.text });
    expect(await mentionsIn(ada, roomId)).toEqual([]);
    expect(await mentionsIn(carol, roomId)).toEqual([]);
    expect(await mentionsIn(dave, roomId)).toEqual([]);
    expect((await notificationsOf(carol)).unread).toBe(before.unread);
    expect(await service.db.prisma.notification.count({ where: { messageId: message.id } })).toBe(1);
  });

  test("names match ignoring case, with spaces, on a word boundary; every member with that name; e-mail addresses are not mentions", async () => {
    const { ada, service } = suite;
    const lovelace = await person(service, "Ada Lovelace");
    const bobA = await person(service, "Bob");
    const bobB = await person(service, "bob");
    const bobby = await person(service, "Bobby");
    const { id: roomId } = await room(ada, lovelace, bobA, bobB, bobby);
    await ada.ok("chat.send", { roomId, text: "@ADA LOVELACE: see @Bob's note (mail bobby@example.org)" });
    expect(await mentionsIn(lovelace, roomId)).toHaveLength(1);
    expect(await mentionsIn(bobA, roomId)).toHaveLength(1);
    expect(await mentionsIn(bobB, roomId)).toHaveLength(1);
    expect(await mentionsIn(bobby, roomId)).toHaveLength(0);
    await ada.ok("chat.send", { roomId, text: "@Bobbyx is not @Bobby-" });
    expect(await mentionsIn(bobby, roomId)).toHaveLength(1);
  });

  test("once per message and user: retries, edits and a restart never notify twice; an edit that adds a mention notifies", async () => {
    const { ada, bob, carol, service } = suite;
    const { id: roomId } = await room(ada, bob, carol);
    const id = commandId();
    const { message } = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId, text: "@Bob look" }, id);
    await ada.ok("chat.send", { roomId, text: "@Bob look" }, id);
    await ada.ok("chat.edit", { messageId: message.id, text: "@Bob look again" });
    expect(await mentionsIn(bob, roomId)).toHaveLength(1);
    expect(await mentionsIn(carol, roomId)).toHaveLength(0);

    await ada.ok("chat.edit", { messageId: message.id, text: "@Bob and @carol look" });
    expect(await mentionsIn(carol, roomId)).toHaveLength(1);
    await service.restart();
    await ada.ok("chat.edit", { messageId: message.id, text: "@Bob and @Carol, look!" });
    await ada.ok("chat.send", { roomId, text: "@Bob look" }, id);
    expect(await mentionsIn(bob, roomId)).toHaveLength(1);
    expect(await mentionsIn(carol, roomId)).toHaveLength(1);
    expect(await service.db.prisma.notification.count({ where: { messageId: message.id } })).toBe(2);
  });

  test("deleting a message removes its mentions (their excerpt is its text), live on the recipient's topic", async () => {
    const { ada, service } = suite;
    const reader = await person(service, "Deleted");
    const { id: roomId } = await room(ada, reader);
    const { message } = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId, text: "@Deleted a secret" });
    const page = await notificationsOf(reader);
    const [mention] = await mentionsIn(reader, roomId);
    const sub = await mustSubscribe("websocket", service.baseUrl, reader.token, ownCursor(reader, page));
    try {
      await ada.ok("chat.delete", { messageId: message.id });
      await waitFor(() => sub.events().length >= 1, "the removal");
      expect(NotifyEvent.parse({ type: sub.events()[0]!.type, payload: sub.events()[0]!.payload })).toEqual({
        type: "notification.removed",
        payload: { id: mention!.id, unread: page.unread - 1 },
      });
      expect(await mentionsIn(reader, roomId)).toEqual([]);
      expect(await service.db.prisma.notification.count({ where: { messageId: message.id } })).toBe(0);
    } finally {
      await sub.close();
    }
  });

  test(`more than ${CHAT_LIMITS.mentionsPerMessage} mentions are refused with validation, on send and edit; nothing is stored`, async () => {
    const { ada, bob, service } = suite;
    const { id: roomId } = await room(ada, bob);
    const many = Array.from({ length: CHAT_LIMITS.mentionsPerMessage + 1 }, (_, i) => `@Bob${i}`).join(" ");
    const count = () => service.db.prisma.chatMessage.count({ where: { roomId } });
    const sent = await ada.fails("chat.send", { roomId, text: `${many} @Bob` });
    expect(sent).toMatchObject({ status: 400, code: "validation", issues: [{ path: ["payload", "text"] }] });
    expect(await count()).toBe(0);
    expect(await mentionsIn(bob, roomId)).toEqual([]);

    const exactly = Array.from({ length: CHAT_LIMITS.mentionsPerMessage }, () => "@Bob").join(" ");
    const { message } = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId, text: exactly });
    expect(await mentionsIn(bob, roomId)).toHaveLength(1);
    const edited = await ada.fails("chat.edit", { messageId: message.id, text: many });
    expect(edited).toMatchObject({ status: 400, code: "validation", issues: [{ path: ["payload", "text"] }] });
    expect((await service.db.prisma.chatMessage.findUnique({ where: { id: message.id } }))?.text).toBe(exactly);
  });

  test("a muted room's mentions make no notification (the producer skips them); unmuted, they do again", async () => {
    const { ada, bob } = suite;
    const muted = await room(ada, bob);
    const other = await room(ada, bob);
    const { preferences } = await bob.ok<{ preferences: { mutedRooms: string[] } }>("notify.setPreferences", { mutedRooms: [muted.id] });
    expect(preferences.mutedRooms).toEqual([muted.id]);
    expect((await bob.get("/v1/notifications/preferences")).body).toEqual({ preferences: { silentBroadcasts: false, mutedRooms: [muted.id] } });
    const unread = (await notificationsOf(bob)).unread;
    await ada.ok("chat.send", { roomId: muted.id, text: "@Bob muted" });
    await ada.ok("chat.send", { roomId: other.id, text: "@Bob not muted" });
    expect(await mentionsIn(bob, muted.id)).toEqual([]);
    expect(await mentionsIn(bob, other.id)).toHaveLength(1);
    expect((await notificationsOf(bob)).unread).toBe(unread + 1);

    await bob.ok("notify.setPreferences", { mutedRooms: [] });
    await ada.ok("chat.send", { roomId: muted.id, text: "@Bob now you hear me" });
    expect(await mentionsIn(bob, muted.id)).toHaveLength(1);
    expect(await bob.fails("notify.setPreferences", { mutedRooms: ["no-such-room"] })).toMatchObject({ status: 404, code: "not_found" });
    expect(await bob.fails("notify.setPreferences", {})).toMatchObject({ status: 400, code: "validation" });
  });

  test("unread counts, keyset pages newest first, and after a restart both come from the database", async () => {
    const { ada, service } = suite;
    const reader = await person(service, "Reader");
    const { id: roomId } = await room(ada, reader);
    for (let i = 1; i <= 7; i++) await ada.ok("chat.send", { roomId, text: `@Reader number ${i}` });
    const first = await notificationsOf(reader, "?limit=3");
    expect(first.unread).toBe(7);
    expect(first.notifications.map((n) => n.kind === "mention" && n.excerpt)).toEqual(["@Reader number 7", "@Reader number 6", "@Reader number 5"]);
    const second = await notificationsOf(reader, `?limit=3&before=${first.nextBefore}`);
    const third = await notificationsOf(reader, `?limit=3&before=${second.nextBefore}`);
    expect(third.nextBefore).toBeNull();
    const ids = [...first.notifications, ...second.notifications, ...third.notifications].map((n) => n.id);
    expect(ids).toHaveLength(7);
    expect(new Set(ids).size).toBe(7);
    expect([...ids].sort().reverse()).toEqual(ids);

    await reader.ok("notify.markRead", { notificationId: ids[0] });
    await service.restart();
    const after = await notificationsOf(reader, "?limit=50");
    expect(after.unread).toBe(6);
    expect(after.notifications.map((n) => n.id)).toEqual(ids);
    expect(after.notifications.map((n) => n.read)).toEqual([true, false, false, false, false, false, false]);
    for (const query of ["?limit=0", "?limit=51", "?before=nope", "?limit=x"]) {
      expect((await reader.get(`/v1/notifications${query}`)).status).toBe(400);
    }
  });
});
