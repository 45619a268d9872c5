import { BROADCAST_TOPIC, NotifyEvent, notifyTopic, type Notification } from "@repo/protocol";
import { expect, test } from "vitest";
import { TRANSPORTS, mustSubscribe } from "../chat/support/wire";
import { OPERATOR_TOKEN, broadcast, describeOnNotifyEngines, notificationsOf, ownCursor, person, room, waitFor } from "./support/notify-harness";

/** The notification ids the events carry, in order. */
function createdIds(events: Array<{ type: string; payload: unknown }>): string[] {
  return events.flatMap((e) => {
    const event = NotifyEvent.parse({ type: e.type, payload: e.payload });
    return event.type === "notification.created" || event.type === "broadcast.created" ? [event.payload.notification.id] : [];
  });
}

await describeOnNotifyEngines("notification delivery on $name", (suite) => {
  test.each(TRANSPORTS.map((from, i) => [from, TRANSPORTS[(i + 1) % TRANSPORTS.length]!] as const))(
    "nothing lost or doubled across a reconnect and a switch from %s to %s",
    async (from, to) => {
      const { ada, service } = suite;
      const reader = await person(service, `Switcher ${from}`);
      const { id: roomId } = await room(ada, reader);
      const page = await notificationsOf(reader);
      const cursor = `${ownCursor(reader, page)},${BROADCAST_TOPIC}@${page.positions.broadcast.epoch}.${page.positions.broadcast.offset}`;
      const first = await mustSubscribe(from, service.baseUrl, reader.token, cursor);
      for (let i = 1; i <= 3; i++) await ada.ok("chat.send", { roomId, text: `@Switcher ${from} live ${i}` });
      await waitFor(() => first.events().length >= 3, `three events over ${from}`);
      const resumeFrom = first.cursor();
      await first.close();

      // While disconnected: two mentions and a broadcast.
      for (let i = 1; i <= 2; i++) await ada.ok("chat.send", { roomId, text: `@Switcher ${from} offline ${i}` });
      expect((await broadcast(service.baseUrl, `Bearer ${OPERATOR_TOKEN}`, { title: `While away ${from}`, body: "b" })).status).toBe(201);

      const second = await mustSubscribe(to, service.baseUrl, reader.token, resumeFrom);
      try {
        await waitFor(() => second.events().length >= 3, `the missed events over ${to}`);
        await ada.ok("chat.send", { roomId, text: `@Switcher ${from} back` });
        await waitFor(() => second.events().length >= 4, `the live event over ${to}`);
        const seen = [...createdIds(first.events()), ...createdIds(second.events())];
        expect(new Set(seen).size).toBe(seen.length);
        const listed = (await notificationsOf(reader, "?limit=50")).notifications;
        const mine = (n: Notification) => (n.kind === "mention" ? n.roomId === roomId : n.kind === "broadcast" && n.title === `While away ${from}`);
        expect([...seen].sort()).toEqual(listed.filter(mine).map((n) => n.id).sort());
        expect(seen).toHaveLength(7);
        expect(second.resets()).toEqual([]);
      } finally {
        await second.close();
      }
    },
  );

  test("after a restart: the unread count and list come from the database, the old cursor is an explicit reset, and live delivery resumes", async () => {
    const { ada, service } = suite;
    const reader = await person(service, "Restarted");
    const { id: roomId } = await room(ada, reader);
    // Earlier tests' broadcasts are unread for a new user too: start from nothing unread.
    await reader.ok("notify.markAllRead", {});
    await ada.ok("chat.send", { roomId, text: "@Restarted before" });
    const page = await notificationsOf(reader);
    expect(page.unread).toBe(1);
    const sub = await mustSubscribe("sse", service.baseUrl, reader.token, ownCursor(reader, page));
    await ada.ok("chat.send", { roomId, text: "@Restarted also before" });
    await waitFor(() => sub.events().length >= 1, "the live mention");
    const cursor = sub.cursor();
    await sub.close();

    await service.restart();
    const after = await notificationsOf(reader);
    expect(after.unread).toBe(2);
    expect(after.notifications.slice(0, 2).map((n) => n.kind === "mention" && n.excerpt)).toEqual(["@Restarted also before", "@Restarted before"]);
    for (const transport of TRANSPORTS) {
      const resumed = await mustSubscribe(transport, service.baseUrl, reader.token, cursor);
      try {
        expect(resumed.resets().map((r) => [r.topic, r.reason])).toEqual([[notifyTopic(reader.user.id), "unknown_epoch"]]);
        await ada.ok("chat.send", { roomId, text: `@Restarted after, ${transport}` });
        await waitFor(() => resumed.events().length >= 1, `live delivery after the reset over ${transport}`);
        expect(createdIds(resumed.events())).toHaveLength(1);
      } finally {
        await resumed.close();
      }
    }
  });
});
