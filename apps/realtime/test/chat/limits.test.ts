import { ChatHistoryResponse, SOCKET_EVENTS, SOCKET_PATH, type ChatMessage, type ChatRoom, type CommandResult } from "@repo/protocol";
import { io } from "socket.io-client";
import { expect, test } from "vitest";
import { commandId, describeOnEngines } from "./support/chat-harness";

// The default chat limits (10 sends per 10 s per user); the shared command rate out of the way.
await describeOnEngines("chat limits on $name", (suite) => {
  test("the 11th send within 10 s is rate_limited with retryAfter, on HTTP and the socket, and stores nothing", async () => {
    const { chat, ada, bob } = suite;
    const { room } = await ada.ok<{ room: ChatRoom }>("chat.createRoom", { name: "Busy room" });
    await bob.ok("chat.join", { roomId: room.id });
    const ids: string[] = [];
    const sent: ChatMessage[] = [];
    for (let i = 1; i <= 10; i++) {
      const id = commandId();
      ids.push(id);
      sent.push((await ada.ok<{ message: ChatMessage }>("chat.send", { roomId: room.id, text: `n${i}` }, id)).message);
    }

    const response = await fetch(`${chat.baseUrl}/v1/commands`, {
      method: "POST",
      headers: { ...ada.headers, "content-type": "application/json" },
      body: JSON.stringify({ id: commandId(), type: "chat.send", payload: { roomId: room.id, text: "one too many" } }),
    });
    expect(response.status).toBe(429);
    const body = (await response.json()) as CommandResult;
    expect(body.ok).toBe(false);
    if (!body.ok) {
      expect(body.error.code).toBe("rate_limited");
      expect(body.error.retryAfter).toBeGreaterThan(0);
      expect(body.error.retryAfter).toBeLessThanOrEqual(10);
      expect(Number(response.headers.get("retry-after"))).toBe(body.error.retryAfter);
    }

    // The same answer over the socket.
    const socket = io(chat.baseUrl, { path: SOCKET_PATH, transports: ["websocket"], auth: { token: ada.token }, forceNew: true, reconnection: false });
    try {
      const ack = (await socket.timeout(5000).emitWithAck(SOCKET_EVENTS.command, {
        id: commandId(),
        type: "chat.send",
        payload: { roomId: room.id, text: "still too many" },
      })) as CommandResult;
      expect(ack).toMatchObject({ ok: false, error: { code: "rate_limited" } });
    } finally {
      socket.disconnect();
    }

    // A retry of a send that went through is answered from its receipt, limit or not.
    const retry = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId: room.id, text: "n3" }, ids[2]);
    expect(retry.message).toEqual(sent[2]);
    // Other commands and other users have their own budgets.
    await ada.ok("chat.edit", { messageId: sent[0]!.id, text: "n1 (edited)" });
    await ada.ok("chat.typing", { roomId: room.id });
    await bob.ok("chat.send", { roomId: room.id, text: "bob is fine" });

    const { body: page } = await ada.get<unknown>(`/v1/chat/rooms/${room.id}/messages`);
    const texts = ChatHistoryResponse.parse(page).messages.map((m) => m.text);
    expect(texts).toEqual(["n1 (edited)", ...Array.from({ length: 9 }, (_, i) => `n${i + 2}`), "bob is fine"]);
  });

  test("typing is never rate_limited by its 2 s throttle and keeps no receipt", async () => {
    const { chat, bob } = suite;
    const { room } = await bob.ok<{ room: ChatRoom }>("chat.createRoom", { name: "Quiet room" });
    const id = commandId();
    for (let i = 0; i < 20; i++) expect(await bob.ok("chat.typing", { roomId: room.id }, i === 0 ? id : undefined)).toEqual({});
    expect(await chat.db.prisma.commandReceipt.findUnique({ where: { userId_id: { userId: bob.user.id, id } } })).toBeNull();
    expect(await chat.server.hub.recentSignals(`chat:${room.id}`, 0)).toHaveLength(1);
  });
});
