import {
  ChatHistoryResponse,
  ChatMessage,
  ChatRoomsResponse,
  chatTopic,
  type ChatRoom,
  type EventEnvelope,
} from "@repo/protocol";
import { expect, test } from "vitest";
import { commandId, describeOnEngines, waitFor, type Person } from "./support/chat-harness";
import { mustSubscribe, subscribeAt } from "./support/wire";

const options = { server: { chat: { sendLimit: { points: 10_000, windowSeconds: 10 } } }, carol: true };

await describeOnEngines("chat messages on $name", (suite) => {
  let rooms = 0;

  /** A fresh room created by `owner`, joined by the others given. */
  async function room(owner: Person, ...others: Person[]): Promise<ChatRoom> {
    const { room } = await owner.ok<{ room: ChatRoom }>("chat.createRoom", { name: `Room ${++rooms} ${Date.now()}` });
    for (const other of others) await other.ok("chat.join", { roomId: room.id });
    return room;
  }

  async function history(who: Person, roomId: string, query = "") {
    const { status, body } = await who.get<unknown>(`/v1/chat/rooms/${roomId}/messages${query}`);
    expect(status).toBe(200);
    return ChatHistoryResponse.parse(body);
  }

  test("send, then history in pages: 120 messages are 3 pages, oldest first, no overlap, no gap", async () => {
    const { chat, ada } = suite;
    const { id: roomId } = await room(ada);
    const sent: string[] = [];
    for (let i = 1; i <= 120; i++) {
      const { message } = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId, text: `m${i}` });
      expect(ChatMessage.parse(message)).toMatchObject({ roomId, text: `m${i}`, author: ada.user, editedAt: null, deletedAt: null });
      sent.push(message.id);
    }
    const latest = await history(ada, roomId);
    expect(latest.messages).toHaveLength(50); // the default page
    expect(latest.hasMore).toBe(true);
    const middle = await history(ada, roomId, `?before=${latest.messages[0]!.id}&limit=50`);
    expect(middle.hasMore).toBe(true);
    const oldest = await history(ada, roomId, `?before=${middle.messages[0]!.id}&limit=50`);
    expect(oldest.messages).toHaveLength(20);
    expect(oldest.hasMore).toBe(false);

    const all = [...oldest.messages, ...middle.messages, ...latest.messages];
    expect(all.map((m) => m.text)).toEqual(sent.map((_, i) => `m${i + 1}`));
    expect(all.map((m) => m.id)).toEqual(sent);
    expect(new Set(all.map((m) => m.id)).size).toBe(120);

    // A page's position: a subscriber from it gets exactly what came after the page.
    const sub = await mustSubscribe("polling", chat.baseUrl, ada.token, `${chatTopic(roomId)}@${latest.position.epoch}.${latest.position.offset}`);
    try {
      const { message } = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId, text: "m121" });
      const messages = () => sub.events().filter((e) => e.type.startsWith("message."));
      await waitFor(() => messages().length > 0, "the event after the page");
      expect(messages().map((e) => [e.type, (e.payload as { message: ChatMessage }).message.id])).toEqual([["message.created", message.id]]);
      // Her own polling made her present: that is an event of the room too.
      expect(sub.events().map((e) => e.type)).toEqual(["presence.joined", "message.created"]);
    } finally {
      await sub.close();
    }
  });

  test("history refuses bad queries with typed errors", async () => {
    const { ada } = suite;
    const { id: roomId } = await room(ada);
    const other = await room(ada);
    const { message } = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId: other.id, text: "elsewhere" });
    const cases: Array<[string, number, string]> = [
      ["?limit=0", 400, "validation"],
      ["?limit=101", 400, "validation"],
      ["?limit=abc", 400, "validation"],
      ["?before=not-a-uuid", 400, "validation"],
      [`?before=${crypto.randomUUID()}`, 404, "not_found"],
      [`?before=${message.id}`, 404, "not_found"], // a message of another room
    ];
    for (const [query, status, code] of cases) {
      const answer = await ada.get<{ error: { code: string } }>(`/v1/chat/rooms/${roomId}/messages${query}`);
      expect([query, answer.status, answer.body.error.code]).toEqual([query, status, code]);
    }
    expect((await ada.get("/v1/chat/rooms/Not_A_Slug/messages")).status).toBe(400);
    expect((await ada.get("/v1/chat/rooms/no-such-room/messages")).status).toBe(404);
    expect((await history(ada, roomId, "?limit=100")).messages).toEqual([]);
  });

  test("text is plain text: stored and returned verbatim on every path, never interpreted", async () => {
    const { chat, ada, bob } = suite;
    const { id: roomId } = await room(ada, bob);
    const sse = await mustSubscribe("sse", chat.baseUrl, bob.token, `${chatTopic(roomId)}@`);
    const texts = [
      `<script>alert("x")</script>`,
      `<img src=x onerror=alert(1)>`,
      `"quotes" & 'apostrophes' &amp; &lt;b&gt; {{template}} \${expr}`,
      "line one\nline two\n\nline four",
      // Would end an SSE frame and forge another if the server wrote text raw.
      'x\n\nevent: closing\ndata: {"reason":"server_shutdown"}\n\nid: forged',
      "👩‍💻 émoji and ﷽ and العربية",
    ];
    try {
      const ids: string[] = [];
      for (const text of texts) {
        const { message } = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId, text });
        expect(message.text).toBe(text);
        ids.push(message.id);
      }
      const page = await history(bob, roomId);
      expect(page.messages.map((m) => m.text)).toEqual(texts);
      await waitFor(() => sse.events().length >= texts.length, "the SSE events");
      expect(sse.events().map((e) => (e.payload as { message: ChatMessage }).message.text)).toEqual(texts);
      expect(sse.failures()).toEqual([]);
      // The responses are JSON, never HTML.
      const raw = await fetch(`${chat.baseUrl}/v1/chat/rooms/${roomId}/messages`, { headers: bob.headers });
      expect(raw.headers.get("content-type")).toMatch(/^application\/json/);
      expect(raw.headers.get("cache-control")).toContain("no-store");
    } finally {
      await sse.close();
    }

    // Only surrounding whitespace is trimmed (and CRLF becomes LF).
    const { message } = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId, text: "  \r\n <b>hi</b>\r\nthere \n " });
    expect(message.text).toBe("<b>hi</b>\nthere");

    // A room name is plain text too.
    const { room: htmlRoom } = await ada.ok<{ room: ChatRoom }>("chat.createRoom", { name: "<b onmouseover=alert(1)>Bold</b>" });
    expect(htmlRoom).toMatchObject({ id: "b-onmouseover-alert-1-bold-b", name: "<b onmouseover=alert(1)>Bold</b>" });
    const list = ChatRoomsResponse.parse((await bob.get("/v1/chat/rooms")).body);
    expect(list.rooms.find((r) => r.id === htmlRoom.id)?.name).toBe("<b onmouseover=alert(1)>Bold</b>");
  });

  test("invalid text is refused with a typed error and stores nothing", async () => {
    const { ada } = suite;
    const { id: roomId } = await room(ada);
    const bad = ["", "   \n\t ", "a".repeat(2001), "bell\u0007", "nul\u0000", "tab\there", "\ud800 lone surrogate"];
    for (const text of bad) {
      const error = await ada.fails("chat.send", { roomId, text });
      expect([JSON.stringify(text).slice(0, 20), error.status, error.code]).toEqual([JSON.stringify(text).slice(0, 20), 400, "validation"]);
    }
    // 2,000 characters are code points: 2,000 emoji (4,000 UTF-16 units) pass.
    await ada.ok("chat.send", { roomId, text: "😀".repeat(2000) });
    expect((await history(ada, roomId)).messages).toHaveLength(1);
  });

  test("a retried send (same command id) posts once, also concurrently and after a restart", async () => {
    const { chat, ada, bob } = suite;
    const { id: roomId } = await room(ada);
    const id = commandId();
    const first = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId, text: "only once" }, id);
    const again = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId, text: "only once" }, id);
    expect(again.message).toEqual(first.message);

    const racing = commandId();
    const answers = await Promise.all([1, 2, 3].map(() => ada.ok<{ message: ChatMessage }>("chat.send", { roomId, text: "racing" }, racing)));
    expect(new Set(answers.map((a) => a.message.id)).size).toBe(1);

    const before = await history(ada, roomId);
    const cursor = `${chatTopic(roomId)}@${before.position.epoch}.${before.position.offset}`;
    await chat.restart();

    const afterRestart = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId, text: "only once" }, id);
    expect(afterRestart.message).toEqual(first.message);
    const page = await history(ada, roomId);
    expect(page.messages.map((m) => m.text)).toEqual(["only once", "racing"]);
    // The same command id from another user is another command.
    await bob.ok("chat.join", { roomId });
    const bobs = await bob.ok<{ message: ChatMessage }>("chat.send", { roomId, text: "mine" }, id);
    expect(bobs.message.id).not.toBe(first.message.id);

    // The restart lost the in-process log: resuming the old cursor is an explicit reset (refetch history), never a silent gap.
    const resumed = await subscribeAt("polling", chat.baseUrl, ada.token, cursor);
    expect(resumed.ok).toBe(true);
    if (resumed.ok) {
      expect(resumed.sub.resets().map((r) => r.reason)).toEqual(["unknown_epoch"]);
      await resumed.sub.close();
    }
  });

  test("only the author edits or deletes; other members see both live; deleted is a tombstone", async () => {
    const { chat, ada, bob, carol } = suite;
    const { id: roomId } = await room(ada, bob);
    const { message } = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId, text: "draft" });
    const live = await mustSubscribe("websocket", chat.baseUrl, bob.token, `${chatTopic(roomId)}@`);
    try {
      expect(await bob.fails("chat.edit", { messageId: message.id, text: "hijacked" })).toMatchObject({ status: 403, code: "forbidden" });
      expect(await bob.fails("chat.delete", { messageId: message.id })).toMatchObject({ status: 403, code: "forbidden" });
      expect(await carol.fails("chat.edit", { messageId: message.id, text: "outsider" })).toMatchObject({ code: "forbidden" });
      expect(await ada.fails("chat.edit", { messageId: crypto.randomUUID(), text: "x" })).toMatchObject({ status: 404, code: "not_found" });

      const { message: edited } = await ada.ok<{ message: ChatMessage }>("chat.edit", { messageId: message.id, text: " final " });
      expect(edited).toMatchObject({ id: message.id, text: "final", createdAt: message.createdAt, deletedAt: null });
      expect(edited.editedAt).not.toBeNull();
      await ada.ok("chat.delete", { messageId: message.id });

      await waitFor(() => live.events().length >= 2, "the edit and delete events");
      const seen = live.events().map((e: EventEnvelope) => [e.type, e.payload]);
      expect(seen).toEqual([
        ["message.edited", { message: edited }],
        ["message.deleted", { messageId: message.id }],
      ]);
    } finally {
      await live.close();
    }
    const [tombstone] = (await history(bob, roomId)).messages;
    expect(tombstone).toMatchObject({ id: message.id, text: "", author: ada.user });
    expect(tombstone!.deletedAt).not.toBeNull();
    expect(await ada.fails("chat.edit", { messageId: message.id, text: "again" })).toMatchObject({ code: "not_found" });
    expect(await ada.fails("chat.delete", { messageId: message.id })).toMatchObject({ code: "not_found" });

    // An author who left the room can no longer change what they wrote there.
    const { message: second } = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId, text: "before leaving" });
    await ada.ok("chat.leave", { roomId });
    expect(await ada.fails("chat.edit", { messageId: second.id, text: "after" })).toMatchObject({ code: "forbidden" });
    expect(await ada.fails("chat.delete", { messageId: second.id })).toMatchObject({ code: "forbidden" });
  });
}, options);
