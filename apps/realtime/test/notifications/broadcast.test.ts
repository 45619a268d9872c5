import { createDatabase } from "@repo/db";
import { pgliteMemoryEngine } from "@repo/db/testing";
import { BROADCAST_TOPIC, BroadcastResponse, NotifyEvent, notifyTopic, type TransportName } from "@repo/protocol";
import { expect, test } from "vitest";
import { startServer } from "../support/start-server";
import { TRANSPORTS, mustSubscribe, type WireSubscription } from "../chat/support/wire";
import { OPERATOR_TOKEN, broadcast, describeOnNotifyEngines, notificationsOf, person, startNotifyServer, waitFor, type Person } from "./support/notify-harness";

const BEARER = `Bearer ${OPERATOR_TOKEN}`;
const PER_TRANSPORT = 12;

await describeOnNotifyEngines("operator broadcasts on $name", (suite) => {
  test("an operator call without the secret, with a wrong one or with a guest's session is refused, and stores nothing", async () => {
    const { ada, service } = suite;
    const count = () => service.db.prisma.broadcast.count();
    const before = await count();
    for (const authorization of [undefined, "Bearer ", `Bearer ${OPERATOR_TOKEN}x`, `Bearer ${OPERATOR_TOKEN.slice(0, -1)}`, OPERATOR_TOKEN, `Bearer ${ada.token}`]) {
      const answer = await broadcast(service.baseUrl, authorization);
      expect([authorization, answer.status, answer.body]).toMatchObject([authorization, 401, { error: { code: "unauthorized" } }]);
      expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="operator"');
    }
    for (const body of [{}, { title: "", body: "x" }, { title: "x".repeat(121), body: "x" }, { title: "a\nb", body: "x" }, { title: "t", body: "x".repeat(1001) }, "text"]) {
      const answer = await broadcast(service.baseUrl, BEARER, body);
      expect([body, answer.status]).toEqual([body, 400]);
    }
    expect(await count()).toBe(before);
    // An operator is not a guest: the command path has no broadcast.
    expect(await ada.fails("notify.broadcast", { title: "x", body: "y" })).toMatchObject({ code: "validation" });
  });

  test(`one broadcast reaches ${PER_TRANSPORT * TRANSPORTS.length} users on all four transports: one row, one event`, async () => {
    const { service } = suite;
    const audience: Array<{ who: Person; transport: TransportName; sub: WireSubscription }> = [];
    try {
      for (const transport of TRANSPORTS) {
        for (let i = 0; i < PER_TRANSPORT; i++) {
          const who = await person(service, `Listener ${transport} ${i}`);
          const sub = await mustSubscribe(transport, service.baseUrl, who.token, `${notifyTopic(who.user.id)}@,${BROADCAST_TOPIC}@`);
          audience.push({ who, transport, sub });
        }
      }
      const rows = async () => ({
        broadcasts: await service.db.prisma.broadcast.count(),
        notifications: await service.db.prisma.notification.count(),
        reads: await service.db.prisma.broadcastRead.count(),
        settings: await service.db.prisma.notificationSettings.count(),
      });
      const before = await rows();
      const head = await service.server.hub.head(BROADCAST_TOPIC);

      const answer = await broadcast(service.baseUrl, BEARER, { title: "  Maintenance tonight ", body: "From 22:00\r\nfor an hour" });
      expect(answer.status).toBe(201);
      const sent = BroadcastResponse.parse(answer.body);
      expect(sent).toMatchObject({ topic: BROADCAST_TOPIC, offset: head.offset + 1, notification: { kind: "broadcast", title: "Maintenance tonight", body: "From 22:00\nfor an hour" } });

      for (const { sub, transport } of audience) await waitFor(() => sub.events().length >= 1, `the broadcast over ${transport}`);
      for (const { sub } of audience) {
        expect(sub.events().map((e) => [e.topic, e.offset, NotifyEvent.parse({ type: e.type, payload: e.payload })])).toEqual([
          [BROADCAST_TOPIC, sent.offset, { type: "broadcast.created", payload: { notification: sent.notification } }],
        ]);
      }
      // One row and one event, whatever the audience.
      expect(await rows()).toEqual({ ...before, broadcasts: before.broadcasts + 1 });
      expect((await service.server.hub.head(BROADCAST_TOPIC)).offset).toBe(head.offset + 1);
      const [first] = audience;
      const page = await notificationsOf(first!.who);
      expect(page.notifications[0]).toEqual({ ...sent.notification, read: false, silent: false });
    } finally {
      await Promise.all(audience.map(({ sub }) => sub.close()));
    }
  });

  test("broadcast read state is per user and compact; silent broadcasts are listed but never counted", async () => {
    const { service } = suite;
    const quiet = await person(service, "Quiet");
    const eager = await person(service, "Eager");
    await quiet.ok("notify.setPreferences", { silentBroadcasts: true });
    const base = { quiet: (await notificationsOf(quiet)).unread, eager: (await notificationsOf(eager)).unread };
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(BroadcastResponse.parse((await broadcast(service.baseUrl, BEARER, { title: `News ${i}`, body: "b" })).body));

    const quietPage = await notificationsOf(quiet);
    expect(quietPage.unread).toBe(base.quiet);
    expect(quietPage.notifications.slice(0, 3).map((n) => n.kind === "broadcast" && n.silent)).toEqual([true, true, true]);
    expect((await notificationsOf(eager)).unread).toBe(base.eager + 3);

    // Read the newest one by one: one small row above the mark; the others stay unread.
    expect(await eager.ok("notify.markRead", { notificationId: sent[2]!.notification.id })).toEqual({ id: sent[2]!.notification.id, unread: base.eager + 2 });
    expect(await service.db.prisma.broadcastRead.count({ where: { userId: eager.user.id } })).toBe(1);
    expect((await notificationsOf(quiet)).notifications[0]?.read).toBe(false);
    // Reading the older ones moves the mark up over all three: no row per broadcast is left.
    await eager.ok("notify.markRead", { notificationId: sent[0]!.notification.id });
    await eager.ok("notify.markRead", { notificationId: sent[1]!.notification.id });
    await eager.ok("notify.markRead", { notificationId: sent[1]!.notification.id });
    const page = await notificationsOf(eager);
    expect(page.notifications.slice(0, 3).map((n) => n.read)).toEqual([true, true, true]);
    await eager.ok("notify.markAllRead", {});
    expect(await service.db.prisma.broadcastRead.count({ where: { userId: eager.user.id } })).toBe(0);
    expect((await notificationsOf(eager)).unread).toBe(0);
  });

  test("someone who joins after a broadcast finds it listed as read, not counted; the next one is unread", async () => {
    const { service } = suite;
    const old = BroadcastResponse.parse((await broadcast(service.baseUrl, BEARER, { title: "Before you came", body: "b" })).body);
    const newcomer = await person(service, "Newcomer");
    const first = await notificationsOf(newcomer);
    expect(first.unread).toBe(0);
    expect(first.notifications.find((n) => n.id === old.notification.id)).toMatchObject({ read: true });
    // Marking it read is a no-op: no row for a broadcast that was never unread.
    expect(await newcomer.ok("notify.markRead", { notificationId: old.notification.id })).toEqual({ id: old.notification.id, unread: 0 });
    expect(await service.db.prisma.broadcastRead.count({ where: { userId: newcomer.user.id } })).toBe(0);

    const next = BroadcastResponse.parse((await broadcast(service.baseUrl, BEARER, { title: "Since you came", body: "b" })).body);
    const second = await notificationsOf(newcomer);
    expect(second.unread).toBe(1);
    expect(second.notifications[0]).toMatchObject({ id: next.notification.id, read: false });
  });
});

test("with no OPERATOR_TOKEN, broadcasts are refused entirely, whatever the header", async () => {
  const engine = pgliteMemoryEngine();
  const service = await startNotifyServer(engine, {});
  try {
    for (const authorization of [undefined, BEARER, "Bearer ", "Bearer undefined"]) {
      const answer = await broadcast(service.baseUrl, authorization);
      expect([authorization, answer.status, answer.body]).toMatchObject([authorization, 403, { error: { code: "forbidden" } }]);
    }
    expect(await service.db.prisma.broadcast.count()).toBe(0);
  } finally {
    await service.stop();
  }
});

test("the default server reads OPERATOR_TOKEN from its config: unset, refused", async () => {
  const running = await startServer({ db: await createDatabase({ pgliteDir: "memory" }) });
  try {
    expect((await broadcast(running.baseUrl, BEARER)).status).toBe(403);
  } finally {
    await running.stop();
    await running.db.close();
  }
  const armed = await startServer({ config: { operatorToken: OPERATOR_TOKEN } });
  try {
    expect((await broadcast(armed.baseUrl, BEARER)).status).toBe(201);
    expect((await broadcast(armed.baseUrl, "Bearer wrong")).status).toBe(401);
  } finally {
    await armed.stop();
  }
});
