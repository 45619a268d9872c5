import { NOTIFY_EVENTS, NotificationsResponse, NotifyEvent, gameJoinPath, notificationsPaths, notifyTopic, type Notification } from "@repo/protocol";
import { afterAll, beforeAll, describe, test } from "vitest";
import { notificationsFeature } from "../../src/features/notifications/notifications-feature";
import { createGame, player, sleep, startGameServer, transports, waitFor, type TestServer } from "./support/game-harness";

/*
 * game.invite: a seated player invites a user to a waiting game; the user
 * gets an `invite` notification (made by the notifications feature, told
 * through the feature events) whose path joins the game.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startGameServer({ extraFeatures: [notificationsFeature({ retentionIntervalMs: 0 })], game: { disconnectGraceMs: 10_000 } });
});
afterAll(async () => {
  await server?.stop();
});

describe("invites", () => {
  test.concurrent.for(transports)("the invited user gets one notification on $name with a link that joins", async ({ name, options }, { expect }) => {
    const ada = await player(server, "Ada", "websocket");
    const bob = await player(server, "Bob", name, options);
    try {
      const seen: Notification[] = [];
      bob.client.subscribe(notifyTopic(bob.session.user.id), (event) => {
        const parsed = NotifyEvent.parse({ type: event.type, payload: event.payload });
        if (parsed.type === NOTIFY_EVENTS.notificationCreated) seen.push(parsed.payload.notification);
      });
      await bob.client.whenOpen();
      const game = await createGame(ada);
      const invite = { type: "game.invite", payload: { gameId: game.id, userId: bob.session.user.id } } as const;
      expect(await ada.client.send(invite)).toEqual({ gameId: game.id, userId: bob.session.user.id });
      await waitFor(() => seen.length === 1, "the invite notification");
      expect(seen[0]).toMatchObject({ kind: "invite", gameId: game.id, from: ada.session.user, path: gameJoinPath(game.id), read: false });
      expect(seen[0]?.kind === "invite" && seen[0].path).toBe(`/game?join=${game.id}`);

      // Inviting again (or a retried command) makes no second notification.
      await ada.client.send(invite);
      await sleep(100);
      expect(seen).toHaveLength(1);
      const listed = await bob.client.get(notificationsPaths.list, NotificationsResponse);
      expect(listed.notifications.filter((n) => n.kind === "invite")).toEqual(seen);
      expect(listed.unread).toBe(1);

      // The link's game id joins the game.
      const joinId = new URLSearchParams(seen[0]?.kind === "invite" ? seen[0].path.split("?")[1] : "").get("join") ?? "";
      const joined = await bob.client.send({ type: "game.join", payload: { gameId: joinId } });
      expect(joined.game.seats.map((s) => s.user?.id)).toEqual([ada.session.user.id, bob.session.user.id]);
      await ada.client.send({ type: "game.leave", payload: { gameId: game.id } });
      await bob.client.send({ type: "game.leave", payload: { gameId: game.id } });
    } finally {
      ada.client.close();
      bob.client.close();
    }
  });

  test("only a seated player invites, only to a waiting game, only someone else who exists", async ({ expect }) => {
    const ada = await player(server, "Ada", "websocket");
    const bob = await player(server, "Bob", "websocket");
    const eve = await player(server, "Eve", "websocket");
    try {
      const game = await createGame(ada);
      const invite = (from: typeof ada, userId: string) => from.client.send({ type: "game.invite", payload: { gameId: game.id, userId } });
      await expect(invite(eve, bob.session.user.id)).rejects.toMatchObject({ code: "forbidden" });
      await expect(invite(ada, ada.session.user.id)).rejects.toMatchObject({ code: "validation", issues: [{ path: ["payload", "userId"] }] });
      await expect(invite(ada, "0190a000-0000-7000-8000-000000000000")).rejects.toMatchObject({ code: "not_found" });
      await expect(invite(ada, "not-a-uuid")).rejects.toMatchObject({ code: "validation" });
      await ada.client.send({ type: "game.addBot", payload: { gameId: game.id } });
      await ada.client.send({ type: "game.start", payload: { gameId: game.id } });
      await expect(invite(ada, bob.session.user.id)).rejects.toMatchObject({ code: "conflict" });
      const listed = await bob.client.get(notificationsPaths.list, NotificationsResponse);
      expect(listed.notifications).toEqual([]);
      await ada.client.send({ type: "game.leave", payload: { gameId: game.id } });
    } finally {
      for (const p of [ada, bob, eve]) p.client.close();
    }
  });
});
