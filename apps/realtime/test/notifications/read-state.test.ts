import { NOTIFY_EVENTS, NotifyEvent, notifyTopic, type ChatMessage } from "@repo/protocol";
import { expect, test } from "vitest";
import { TRANSPORTS, mustSubscribe } from "../chat/support/wire";
import { databaseDigest } from "../fuzz/support/db-digest";
import { describeOnNotifyEngines, mentionsIn, notificationsOf, ownCursor, person, room, waitFor, type Person } from "./support/notify-harness";

await describeOnNotifyEngines("read state on $name", (suite) => {
  /** A second session (another tab or device) of the same user. */
  /** Another tab or device of the same user: the same session token on a second connection. */
  const secondSession = (who: Person) => who.token;

  test.each(TRANSPORTS)("marking read on one session shows live on the user's other session over %s", async (transport) => {
    const { ada, service } = suite;
    const reader = await person(service, `Reader ${transport}`);
    const { id: roomId } = await room(ada, reader);
    await ada.ok("chat.send", { roomId, text: `@Reader ${transport}` });
    await ada.ok<{ message: ChatMessage }>("chat.send", { roomId, text: `@Reader ${transport} again` });
    const page = await notificationsOf(reader);
    expect(page.unread).toBe(2);
    const other = await mustSubscribe(transport, service.baseUrl, secondSession(reader), ownCursor(reader, page));
    try {
      const [newest] = page.notifications;
      const marked = await reader.ok<{ id: string; unread: number }>("notify.markRead", { notificationId: newest!.id });
      expect(marked).toEqual({ id: newest!.id, unread: 1 });
      await waitFor(() => other.events().length >= 1, "the read event on the other session");
      const all = await reader.ok<{ readThrough: string | null; unread: number }>("notify.markAllRead", {});
      expect(all.unread).toBe(0);
      await waitFor(() => other.events().length >= 2, "the all-read event on the other session");
      const events = other.events().map((e) => NotifyEvent.parse({ type: e.type, payload: e.payload }));
      expect(events).toEqual([
        { type: NOTIFY_EVENTS.notificationRead, payload: { id: newest!.id, unread: 1 } },
        { type: NOTIFY_EVENTS.allRead, payload: { readThrough: all.readThrough, unread: 0 } },
      ]);
      expect(other.events().every((e) => e.topic === notifyTopic(reader.user.id))).toBe(true);
      expect((await notificationsOf(reader)).notifications.every((n) => n.read)).toBe(true);
    } finally {
      await other.close();
    }
  });

  test("marking another user's notification read is forbidden and changes nothing; unknown is not_found", async () => {
    const { ada, bob, carol, service } = suite;
    const { id: roomId } = await room(ada, bob, carol);
    await ada.ok("chat.send", { roomId, text: "@Bob private" });
    const [bobs] = await mentionsIn(bob, roomId);
    const before = await databaseDigest(service.db);
    expect(await carol.fails("notify.markRead", { notificationId: bobs!.id })).toMatchObject({ status: 403, code: "forbidden" });
    expect(await carol.fails("notify.markRead", { notificationId: crypto.randomUUID() })).toMatchObject({ status: 404, code: "not_found" });
    expect(await carol.fails("notify.markRead", { notificationId: "not-a-uuid" })).toMatchObject({ status: 400, code: "validation" });
    const after = await databaseDigest(service.db);
    // The refusals wrote nothing (command receipts are only kept for successes).
    expect(after).toEqual(before);
    expect((await mentionsIn(bob, roomId))[0]?.read).toBe(false);
  });

  test("mark all read leaves what comes after it unread", async () => {
    const { ada, service } = suite;
    const reader = await person(service, "Later");
    const { id: roomId } = await room(ada, reader);
    await ada.ok("chat.send", { roomId, text: "@Later one" });
    await reader.ok("notify.markAllRead", {});
    await ada.ok("chat.send", { roomId, text: "@Later two" });
    const page = await notificationsOf(reader);
    expect(page.unread).toBe(1);
    expect(page.notifications.map((n) => [n.kind === "mention" && n.excerpt, n.read])).toEqual([
      ["@Later two", false],
      ["@Later one", true],
    ]);
  });
});
