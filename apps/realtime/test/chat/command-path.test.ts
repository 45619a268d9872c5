import { SOCKET_EVENTS, SOCKET_PATH, chatTopic, type ChatMessage, type ChatRoom, type CommandResult } from "@repo/protocol";
import { io } from "socket.io-client";
import { expect, test } from "vitest";
import { commandId, describeOnEngines, person, type EngineSuite, type Person } from "./support/chat-harness";

// F13 and F17 on the command path: the per-user request rate is charged before any
// database work; the per-type budget only for work that runs; a reused command id
// never publishes a message in another room.

const REQUESTS = 30;

await describeOnEngines(
  "the command path on $name",
  (suite) => {
    /** A fresh guest (own budgets) who is a member of a fresh room. */
    async function memberOfNewRoom(suite: EngineSuite, name: string): Promise<{ who: Person; room: ChatRoom }> {
      const { room } = await suite.ada.ok<{ room: ChatRoom }>("chat.createRoom", { name: `${name} room` });
      const who = await person(suite.chat, name);
      await who.ok("chat.join", { roomId: room.id });
      return { who, room };
    }

    async function rowsOf(suite: EngineSuite, userId: string) {
      const { prisma } = suite.chat.db;
      return {
        messages: await prisma.chatMessage.count({ where: { authorId: userId } }),
        receipts: await prisma.commandReceipt.count({ where: { userId } }),
      };
    }

    test("replaying a known command id is rate-limited once the request budget is spent, and writes nothing", async () => {
      const { who, room } = await memberOfNewRoom(suite, "Replayer");
      const id = commandId();
      const first = await who.ok<{ message: ChatMessage }>("chat.send", { roomId: room.id, text: "once" }, id);
      // join + first send spent 2 of the budget; the replays answered from the receipt spend the rest.
      for (let i = 0; i < REQUESTS - 2; i++) {
        expect((await who.ok<{ message: ChatMessage }>("chat.send", { roomId: room.id, text: "once" }, id)).message).toEqual(first.message);
      }
      const rows = await rowsOf(suite, who.user.id);

      const refused = await fetch(`${suite.chat.baseUrl}/v1/commands`, {
        method: "POST",
        headers: { ...who.headers, "content-type": "application/json" },
        body: JSON.stringify({ id, type: "chat.send", payload: { roomId: room.id, text: "once" } }),
      });
      expect(refused.status).toBe(429);
      const body = (await refused.json()) as CommandResult;
      expect(body).toMatchObject({ ok: false, id, error: { code: "rate_limited" } });
      if (!body.ok) expect(Number(refused.headers.get("retry-after"))).toBe(body.error.retryAfter);

      // The same over a raw socket.io client, for replays and new commands alike.
      const socket = io(suite.chat.baseUrl, {
        path: SOCKET_PATH,
        transports: ["websocket"],
        auth: { token: who.token },
        forceNew: true,
        reconnection: false,
      });
      try {
        for (const commandIdToSend of [id, commandId()]) {
          const ack = (await socket.timeout(5000).emitWithAck(SOCKET_EVENTS.command, {
            id: commandIdToSend,
            type: "chat.send",
            payload: { roomId: room.id, text: "over the socket" },
          })) as CommandResult;
          expect(ack).toMatchObject({ ok: false, error: { code: "rate_limited" } });
        }
      } finally {
        socket.disconnect();
      }
      expect(await rowsOf(suite, who.user.id)).toEqual(rows);
      // Another user's budget is untouched.
      await suite.bob.ok("chat.join", { roomId: room.id });
    });

    test("a retry answered from its receipt does not spend the chat.send budget; a new send does", async () => {
      const { who, room } = await memberOfNewRoom(suite, "Retrier");
      const id = commandId();
      const first = await who.ok<{ message: ChatMessage }>("chat.send", { roomId: room.id, text: "first" }, id);
      for (let i = 0; i < 12; i++) {
        expect((await who.ok<{ message: ChatMessage }>("chat.send", { roomId: room.id, text: "first" }, id)).message.id).toBe(first.message.id);
      }
      // The default budget is 10 sends per 10 s: the first send took one, the 12 retries none.
      for (let i = 2; i <= 10; i++) await who.ok("chat.send", { roomId: room.id, text: `send ${i}` });
      const over = await who.fails("chat.send", { roomId: room.id, text: "eleventh" });
      expect(over).toMatchObject({ code: "rate_limited", status: 429 });
      expect((await rowsOf(suite, who.user.id)).messages).toBe(10);
      // Concurrent duplicates of one new id while over budget: one refusal each, nothing stored.
      const dupId = commandId();
      const answers = await Promise.all([1, 2, 3].map(() => who.command("chat.send", { roomId: room.id, text: "dup" }, dupId)));
      for (const answer of answers) expect(answer.body).toMatchObject({ ok: false, error: { code: "rate_limited" } });
      expect((await rowsOf(suite, who.user.id)).messages).toBe(10);
    });

    test("a chat.send retry whose id already stored a message in another room, or with other text, is a conflict and publishes nothing", async () => {
      const { chat } = suite;
      const { who, room: roomA } = await memberOfNewRoom(suite, "Crosser");
      const { room: roomB } = await suite.ada.ok<{ room: ChatRoom }>("chat.createRoom", { name: "Crosser other room" });
      await who.ok("chat.join", { roomId: roomB.id });
      const id = commandId();
      const sent = await who.ok<{ message: ChatMessage }>("chat.send", { roomId: roomA.id, text: "for room A" }, id);
      // The receipt is lost (a crash between insert and receipt, or a second instance): the id alone remains.
      const forget = () => chat.db.prisma.commandReceipt.deleteMany({ where: { userId: who.user.id, id } });
      await forget();

      const headA = await chat.server.hub.head(chatTopic(roomA.id));
      const headB = await chat.server.hub.head(chatTopic(roomB.id));
      const crossRoom = await who.fails("chat.send", { roomId: roomB.id, text: "for room A" }, id);
      expect(crossRoom).toMatchObject({ code: "conflict", status: 409 });
      const otherText = await who.fails("chat.send", { roomId: roomA.id, text: "something else" }, id);
      expect(otherText).toMatchObject({ code: "conflict", status: 409 });
      expect(await chat.server.hub.head(chatTopic(roomB.id))).toEqual(headB);
      expect(await chat.server.hub.head(chatTopic(roomA.id))).toEqual(headA);
      const { body: pageB } = await who.get<{ messages: ChatMessage[] }>(`/v1/chat/rooms/${roomB.id}/messages`);
      expect(pageB.messages).toEqual([]);
      expect(await chat.db.prisma.commandReceipt.count({ where: { userId: who.user.id, id } })).toBe(0);

      // The honest retry (same room, same text) still answers with the first message.
      const retried = await who.ok<{ message: ChatMessage }>("chat.send", { roomId: roomA.id, text: "for room A" }, id);
      expect(retried.message).toEqual(sent.message);
    });
  },
  { server: { config: { commandRequestLimits: { points: REQUESTS, windowSeconds: 60 } } } },
);
