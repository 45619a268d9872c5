import { ChatPresenceResponse, TypingSignal, chatTopic, type ChatMessage, type ChatRoom, type EventEnvelope } from "@repo/protocol";
import { expect, test } from "vitest";
import { describeOnEngines, sleep, waitFor, type Person } from "./support/chat-harness";
import { TRANSPORTS, mustSubscribe, type WireSubscription } from "./support/wire";

const TTL_MS = 1000;
const options = { server: { config: { presenceTtlMs: TTL_MS } }, carol: true };

await describeOnEngines("chat presence and typing on $name", (suite) => {
  let rooms = 0;

  async function sharedRoom(): Promise<ChatRoom> {
    const { ada, bob, carol } = suite;
    const { room } = await ada.ok<{ room: ChatRoom }>("chat.createRoom", { name: `Presence ${++rooms}` });
    await bob.ok("chat.join", { roomId: room.id });
    await carol.ok("chat.join", { roomId: room.id });
    return room;
  }

  const presenceOf = (sub: WireSubscription, who: Person) =>
    sub
      .events()
      .filter((e: EventEnvelope) => e.type.startsWith("presence.") && (e.payload as { user: { id: string } }).user.id === who.user.id)
      .map((e) => e.type);

  async function present(roomId: string): Promise<string[]> {
    const { ada } = suite;
    const { status, body } = await ada.get(`/v1/chat/rooms/${roomId}/presence`);
    expect(status).toBe(200);
    return ChatPresenceResponse.parse(body).users.map((u) => u.name).sort();
  }

  test("a polling client that goes silent drops out after the TTL with presence.left; one that keeps polling stays", async () => {
    const { chat, ada, bob, carol } = suite;
    const room = await sharedRoom();
    const topic = chatTopic(room.id);
    const watcher = await mustSubscribe("websocket", chat.baseUrl, ada.token, `${topic}@`);
    const steady = await mustSubscribe("polling", chat.baseUrl, carol.token, `${topic}@`);
    try {
      // One poll, then silence.
      const silent = await mustSubscribe("polling", chat.baseUrl, bob.token, `${topic}@`);
      await silent.close();
      const silentSince = Date.now();
      await waitFor(() => presenceOf(watcher, bob).length === 1, "bob's presence.joined");
      expect(await present(room.id)).toEqual(["Ada", "Bob", "Carol"]);

      await waitFor(() => presenceOf(watcher, bob).length === 2, "bob's presence.left", 5 * TTL_MS);
      expect(Date.now() - silentSince).toBeGreaterThanOrEqual(TTL_MS - 50);
      expect(presenceOf(watcher, bob)).toEqual(["presence.joined", "presence.left"]);
      expect(await present(room.id)).toEqual(["Ada", "Carol"]);

      // Carol has polled all along: still present after two TTLs, never left.
      await sleep(TTL_MS);
      expect(presenceOf(watcher, carol)).toEqual(["presence.joined"]);
      expect(await present(room.id)).toEqual(["Ada", "Carol"]);
    } finally {
      await steady.close();
      await watcher.close();
    }
  });

  test.each(TRANSPORTS)("presence over %s: joined while reading, left one TTL after it stops", async (transport) => {
    const { chat, ada, bob } = suite;
    const room = await sharedRoom();
    const topic = chatTopic(room.id);
    const watcher = await mustSubscribe("websocket", chat.baseUrl, ada.token, `${topic}@`);
    try {
      const reader = await mustSubscribe(transport, chat.baseUrl, bob.token, `${topic}@`);
      await waitFor(() => presenceOf(watcher, bob).length === 1, "presence.joined");
      // Still present after more than a TTL while the transport keeps reading.
      await sleep(TTL_MS + 300);
      expect(presenceOf(watcher, bob)).toEqual(["presence.joined"]);
      await reader.close();
      await waitFor(() => presenceOf(watcher, bob).length === 2, "presence.left", 5 * TTL_MS);
      expect(presenceOf(watcher, bob)).toEqual(["presence.joined", "presence.left"]);
    } finally {
      await watcher.close();
    }
  });

  test.each(TRANSPORTS)("typing reaches a member over %s, throttled, and is never replayed on resume", async (transport) => {
    const { chat, ada, bob } = suite;
    const room = await sharedRoom();
    const topic = chatTopic(room.id);
    const reader = await mustSubscribe(transport, chat.baseUrl, bob.token, `${topic}@`);
    const before = reader.cursor();
    const signalsBefore = reader.signalsSince();
    let message: ChatMessage;
    try {
      expect(await ada.ok("chat.typing", { roomId: room.id })).toEqual({});
      expect(await ada.ok("chat.typing", { roomId: room.id })).toEqual({}); // within 2 s: absorbed
      await waitFor(() => reader.signals().length > 0, "the typing signal");
      ({ message } = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId: room.id, text: "done typing" }));
      await waitFor(() => reader.events().some((e) => e.type === "message.created"), "the message");
      await sleep(100);

      expect(reader.signals()).toHaveLength(1);
      const [signal] = reader.signals();
      expect(signal).toMatchObject({ topic, type: "typing" });
      expect(TypingSignal.parse(signal!.payload)).toEqual({ user: ada.user });
      // Signals are not events: never in the log.
      expect(reader.events().map((e) => e.type)).not.toContain("typing");
    } finally {
      await reader.close();
    }

    // Resume from the cursor held before the signal (a reload, a reconnect, a switch):
    // the message comes again, the typing signal never does.
    const resumed = await mustSubscribe(transport, chat.baseUrl, bob.token, before, {
      signalsSince: Math.max(signalsBefore, reader.signalsSince()),
      ...(transport === "sse" ? { lastEventId: before } : {}),
    });
    try {
      await waitFor(() => resumed.events().some((e) => e.type === "message.created"), "the replayed message");
      await sleep(150);
      expect(resumed.events().filter((e) => e.type === "message.created").map((e) => (e.payload as { message: ChatMessage }).message.id)).toEqual([
        message.id,
      ]);
      expect(resumed.signals()).toEqual([]);
    } finally {
      await resumed.close();
    }
  });

  test("leaving drops presence at once", async () => {
    const { chat, ada, bob } = suite;
    const room = await sharedRoom();
    const topic = chatTopic(room.id);
    const watcher = await mustSubscribe("websocket", chat.baseUrl, ada.token, `${topic}@`);
    const reader = await mustSubscribe("sse", chat.baseUrl, bob.token, `${topic}@`);
    try {
      await waitFor(() => presenceOf(watcher, bob).length === 1, "presence.joined");
      await bob.ok("chat.leave", { roomId: room.id });
      await waitFor(() => presenceOf(watcher, bob).length === 2, "presence.left");
      expect(await present(room.id)).not.toContain("Bob");
    } finally {
      await reader.close();
      await watcher.close();
    }
  });
}, options);
