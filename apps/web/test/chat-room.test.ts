import { ConnectionError, ProtocolError, createServiceApi, type RealtimeClient, type SubscribeOptions } from "@repo/client";
import { ERROR_POLICY, type ChatMessage, type EventEnvelope, type Position, type User } from "@repo/protocol";
import type { z } from "zod";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChatRoomController, TYPING_VISIBLE_MS } from "../src/features/chat/room/chat-room";
import { BOB, message } from "./fixtures";

const ME: User = { id: "u-ada", name: "Ada" };
const POSITION: Position = { epoch: "e1", offset: 10 };


type Sent = { id?: string; type: string; payload: Record<string, unknown> };

/**
 * Just enough of RealtimeClient: records commands and subscriptions; the test answers. Its
 * reads are the SDK's own (over the fetch each test stubs), so they fail as the real ones do.
 */
class FakeClient {
  private readonly reads = createServiceApi({ baseUrl: "http://realtime.test" });
  status = "open";
  sent: Sent[] = [];
  subscriptions: Array<{ topic: string; onEvent: (e: EventEnvelope) => void; options: SubscribeOptions; active: boolean }> = [];
  answer: (command: Sent) => Promise<unknown> = (command) => this.defaultAnswer(command);
  private statusListeners = new Set<(status: string) => void>();
  private offset = 10;

  defaultAnswer(command: Sent): Promise<unknown> {
    if (command.type === "chat.join") {
      return Promise.resolve({ room: { id: "lobby", name: "Lobby", createdAt: new Date(0).toISOString(), joined: true, members: 2 } });
    }
    return Promise.resolve({});
  }

  on(_name: "status", listener: (status: string) => void) {
    this.statusListeners.add(listener);
    return () => void this.statusListeners.delete(listener);
  }

  setStatus(status: string) {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  get<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
    return this.reads.get(path, schema);
  }

  send(command: Sent) {
    this.sent.push(command);
    return this.answer(command);
  }

  subscribe(topic: string, onEvent: (e: EventEnvelope) => void, options: SubscribeOptions) {
    const subscription = { topic, onEvent, options, active: true };
    this.subscriptions.push(subscription);
    return () => void (subscription.active = false);
  }

  emit(type: string, payload: unknown) {
    const subscription = this.subscriptions.at(-1)!;
    subscription.onEvent({ topic: subscription.topic, epoch: "e1", offset: ++this.offset, type, payload, ts: Date.now() });
  }
}

/** Answers the history and presence GETs from these lists. */
function serveReads(pages: { messages: ChatMessage[]; hasMore: boolean }[], presence: User[][] = [[]]) {
  const requests: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string) => {
      requests.push(url);
      const path = new URL(url).pathname;
      const body = path.endsWith("/presence")
        ? { users: presence.length > 1 ? presence.shift()! : presence[0]! }
        : { ...(pages.length > 1 ? pages.shift()! : pages[0]!), position: POSITION };
      return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
    }),
  );
  return requests;
}

/**
 * Holds every history GET until the test answers it (presence GETs answer at once, empty):
 * for orderings around a reset.
 */
class DeferredReads {
  private readonly waiting: Array<{ url: string; resolve: (response: Response) => void }> = [];

  constructor() {
    vi.stubGlobal(
      "fetch",
      vi.fn((url: string) => {
        if (new URL(url).pathname.endsWith("/presence")) return Promise.resolve(Response.json({ users: [] }));
        return new Promise<Response>((resolve) => this.waiting.push({ url, resolve }));
      }),
    );
  }

  get pending(): string[] {
    return this.waiting.map((read) => read.url);
  }

  /** Answers the oldest read still out (whose URL contains `matching`, if given). */
  answer(page: { messages: ChatMessage[]; hasMore: boolean }, matching = "") {
    this.take(matching).resolve(Response.json({ ...page, position: POSITION }));
  }

  fail() {
    this.take("").resolve(Response.json({ error: { code: "internal", message: "Boom" } }, { status: 500 }));
  }

  private take(matching: string) {
    const index = this.waiting.findIndex((read) => read.url.includes(matching));
    if (index < 0) throw new Error(`no read out matching "${matching}"`);
    return this.waiting.splice(index, 1)[0]!;
  }
}

async function settle() {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

function open(client: FakeClient, now?: () => number) {
  const room = new ChatRoomController(client as unknown as RealtimeClient, "lobby", ME, now);
  room.start();
  return room;
}

const texts = (room: ChatRoomController) => room.getSnapshot().items.map((item) => item.text);

beforeEach(() => {
  vi.unstubAllGlobals();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("ChatRoomController", () => {
  it("joins, loads the latest page, then follows the topic from the page's position", async () => {
    const requests = serveReads([{ messages: [message(1), message(2)], hasMore: true }], [[BOB]]);
    const client = new FakeClient();
    const room = open(client);
    await settle();

    expect(client.sent[0]).toMatchObject({ type: "chat.join", payload: { roomId: "lobby" } });
    expect(requests[0]).toMatch(/\/v1\/chat\/rooms\/lobby\/messages\?limit=50$/);
    expect(client.subscriptions).toHaveLength(1);
    expect(client.subscriptions[0]).toMatchObject({ topic: "chat:lobby", options: { cursor: POSITION } });
    const snapshot = room.getSnapshot();
    expect(snapshot).toMatchObject({ phase: "ready", hasMore: true, room: { name: "Lobby" } });
    expect(texts(room)).toEqual(["message 1", "message 2"]);
    expect(snapshot.presence.map((u) => u.name)).toEqual(["Ada", "Bob"]);
    room.stop();
    expect(client.subscriptions[0]!.active).toBe(false);
  });

  it("merges events by id: a page message arriving again, edits and deletes", async () => {
    serveReads([{ messages: [message(1), message(2)], hasMore: false }]);
    const client = new FakeClient();
    const room = open(client);
    await settle();

    client.emit("message.created", { message: message(2) });
    client.emit("message.created", { message: message(3) });
    client.emit("message.edited", { message: message(1, { text: "fixed", editedAt: "2026-01-01T00:10:00.000Z" }) });
    client.emit("message.deleted", { messageId: message(3).id });
    client.emit("something.else", { ignored: true });
    expect(texts(room)).toEqual(["fixed", "message 2", ""]);
    const third = room.getSnapshot().items[2];
    expect(third && "deletedAt" in third ? typeof third.deletedAt : null).toBe("string");
  });

  it("an edit of a message not held is left for its page: it does not sit apart from the pages held", async () => {
    serveReads([
      { messages: [message(50), message(51)], hasMore: true },
      { messages: [message(48), message(49, { text: "edited", editedAt: "2026-01-01T00:10:00.000Z" })], hasMore: false },
    ]);
    const client = new FakeClient();
    const room = open(client);
    await settle();
    client.emit("message.edited", { message: message(10, { text: "edited long ago", editedAt: "2026-01-01T00:10:00.000Z" }) });
    client.emit("message.edited", { message: message(49, { text: "edited", editedAt: "2026-01-01T00:10:00.000Z" }) });
    expect(texts(room)).toEqual(["message 50", "message 51"]);
    room.loadOlder();
    await settle();
    expect(texts(room)).toEqual(["message 48", "edited", "message 50", "message 51"]);
  });

  it("ignores a message.created that names another room (F17)", async () => {
    serveReads([{ messages: [message(1)], hasMore: false }]);
    const client = new FakeClient();
    const room = open(client);
    await settle();

    client.emit("message.created", { message: message(2, { roomId: "elsewhere", text: "not for this room" }) });
    client.emit("message.created", { message: message(3) });
    expect(texts(room)).toEqual(["message 1", "message 3"]);
  });

  it("shows my message at once and exactly once, even when its event beats the answer", async () => {
    serveReads([{ messages: [], hasMore: false }]);
    const client = new FakeClient();
    let answer: (value: unknown) => void = () => undefined;
    client.answer = (command) =>
      command.type === "chat.send" ? new Promise((resolve) => (answer = resolve)) : client.defaultAnswer(command);
    const room = open(client);
    await settle();

    room.send("hello");
    expect(room.getSnapshot().items).toEqual([expect.objectContaining({ text: "hello", state: "sending" })]);
    const sent = client.sent.find((c) => c.type === "chat.send")!;
    expect(sent.id).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const mine = message(5, { author: ME, text: "hello" });
    client.emit("message.created", { message: mine });
    expect(room.getSnapshot().items).toEqual([mine]);

    answer({ message: mine });
    await settle();
    expect(room.getSnapshot().items).toEqual([mine]);
  });

  it("a failed send can be retried with the same command id", async () => {
    serveReads([{ messages: [], hasMore: false }]);
    const client = new FakeClient();
    const room = open(client);
    await settle();

    client.answer = () => Promise.reject(new ProtocolError("internal", "Boom"));
    room.send("again");
    await settle();
    const failed = room.getSnapshot().items[0];
    // The words come from the protocol's error policy, not the server's message.
    expect(failed).toMatchObject({ state: "failed", failure: { code: "internal", message: ERROR_POLICY.internal.text } });

    const mine = message(6, { author: ME, text: "again" });
    client.answer = () => Promise.resolve({ message: mine });
    room.retry((failed as { commandId: string }).commandId);
    await settle();
    const sends = client.sent.filter((c) => c.type === "chat.send");
    expect(sends).toHaveLength(2);
    expect(sends[1]!.id).toBe(sends[0]!.id);
    expect(room.getSnapshot().items).toEqual([mine]);
  });

  it("resends by itself when the connection comes back after a send lost it", async () => {
    serveReads([{ messages: [], hasMore: false }]);
    const client = new FakeClient();
    const room = open(client);
    await settle();

    client.setStatus("reconnecting");
    client.answer = () => Promise.reject(new ConnectionError("network", "down"));
    room.send("while down");
    await settle();
    expect(room.getSnapshot().items[0]).toMatchObject({ state: "failed", failure: { code: "network" } });

    const mine = message(7, { author: ME, text: "while down" });
    client.answer = () => Promise.resolve({ message: mine });
    client.setStatus("open");
    await settle();
    const sends = client.sent.filter((c) => c.type === "chat.send");
    expect(sends).toHaveLength(2);
    expect(sends[1]!.id).toBe(sends[0]!.id);
    expect(room.getSnapshot().items).toEqual([mine]);
  });

  it("a rate-limited send says how long to wait", async () => {
    serveReads([{ messages: [], hasMore: false }]);
    const client = new FakeClient();
    const room = open(client, () => 1_000_000);
    await settle();

    client.answer = () => Promise.reject(new ProtocolError("rate_limited", "Too many", { retryAfter: 6.2 }));
    room.send("too fast");
    await settle();
    expect(room.getSnapshot().items[0]).toMatchObject({
      state: "failed",
      failure: { code: "rate_limited", message: "Slow down: you can send again in 7 s.", retryAt: 1_007_000 },
    });
    expect(room.getSnapshot().rateLimitedUntil).toBe(1_007_000);
    room.stop();
  });

  it("after a reset, the list restarts from the latest page: nothing held from before the gap stays stale", async () => {
    serveReads([
      { messages: [message(1), message(2)], hasMore: false },
      // During the gap message 1 was deleted and message 2 edited; the latest page shows the truth.
      { messages: [message(2, { text: "edited in the gap", editedAt: "2026-01-01T00:10:00.000Z" }), message(3)], hasMore: false },
      { messages: [message(20), message(21)], hasMore: true },
    ]);
    const client = new FakeClient();
    const room = open(client);
    await settle();
    expect(texts(room)).toEqual(["message 1", "message 2"]);

    const onReset = client.subscriptions[0]!.options.onReset!;
    onReset({ topic: "chat:lobby", reason: "unknown_epoch", position: { epoch: "e2", offset: 0 } });
    await settle();
    expect(texts(room)).toEqual(["edited in the gap", "message 3"]);

    // More was missed than a page holds: no silent gap, the list restarts from the latest page.
    onReset({ topic: "chat:lobby", reason: "retention", position: { epoch: "e3", offset: 0 } });
    await settle();
    expect(texts(room)).toEqual(["message 20", "message 21"]);
    expect(room.getSnapshot().hasMore).toBe(true);
  });

  it("a reset drops every page held, the older ones too: no message edited or deleted in the gap stays stale", async () => {
    const editedAt = "2026-01-01T00:10:00.000Z";
    const requests = serveReads([
      { messages: [message(3), message(4)], hasMore: true }, // entry: the latest page
      { messages: [message(1), message(2)], hasMore: false }, // paged back: the one before
      // During the gap message 1 was edited, 2 deleted, 4 edited and 5 posted.
      { messages: [message(4, { text: "4 edited in the gap", editedAt }), message(5)], hasMore: true },
      { messages: [message(1, { text: "1 edited in the gap", editedAt }), message(2, { text: "", deletedAt: editedAt }), message(3)], hasMore: false },
    ]);
    const client = new FakeClient();
    const room = open(client);
    await settle();
    room.loadOlder();
    await settle();
    expect(texts(room)).toEqual(["message 1", "message 2", "message 3", "message 4"]);

    client.subscriptions[0]!.options.onReset!({ topic: "chat:lobby", reason: "unknown_epoch", position: { epoch: "e2", offset: 0 } });
    await settle();
    // Only the refetched latest page: nothing held from before the gap is left to go stale.
    expect(texts(room)).toEqual(["4 edited in the gap", "message 5"]);
    expect(room.getSnapshot().hasMore).toBe(true);

    // Paging back from there shows the older messages as they are now.
    room.loadOlder();
    await settle();
    expect(requests.at(-1)).toContain(`before=${message(4).id}`);
    expect(texts(room)).toEqual(["1 edited in the gap", "", "message 3", "4 edited in the gap", "message 5"]);
    expect(room.getSnapshot().hasMore).toBe(false);
  });

  it("entering again (after an error) starts from the latest page too: what was held may have changed meanwhile", async () => {
    serveReads([
      { messages: [message(3), message(4)], hasMore: true },
      { messages: [message(1), message(2)], hasMore: false },
      { messages: [message(4), message(5)], hasMore: true }, // message 1 was edited meanwhile: not on this page
    ]);
    const client = new FakeClient();
    const room = open(client);
    await settle();
    room.loadOlder();
    await settle();
    expect(texts(room)).toEqual(["message 1", "message 2", "message 3", "message 4"]);

    room.retryEntry();
    await settle();
    expect(texts(room)).toEqual(["message 4", "message 5"]);
    expect(room.getSnapshot()).toMatchObject({ phase: "ready", hasMore: true });
    expect(client.subscriptions.filter((s) => s.active)).toHaveLength(1);
  });

  it("around a reset: an older page asked for before it is dropped, and what arrives during the refetch is kept", async () => {
    const reads = new DeferredReads();
    const client = new FakeClient();
    const room = open(client);
    await settle();
    reads.answer({ messages: [message(10), message(11)], hasMore: true });
    await settle();

    room.loadOlder(); // before the reset; answered after it
    client.subscriptions[0]!.options.onReset!({ topic: "chat:lobby", reason: "retention", position: { epoch: "e2", offset: 0 } });
    await settle();
    room.loadOlder(); // while the list is being replaced: refused
    expect(reads.pending.filter((url) => url.includes("before="))).toHaveLength(1);

    // An event after the reset, before the refetch's answer (which was read before it).
    client.emit("message.created", { message: message(21) });
    reads.answer({ messages: [message(1), message(2)], hasMore: false }, "before=");
    reads.answer({ messages: [message(19), message(20)], hasMore: true });
    await settle();
    expect(texts(room)).toEqual(["message 19", "message 20", "message 21"]);
    expect(room.getSnapshot()).toMatchObject({ hasMore: true, loadingOlder: false });
  });

  it("a refetch after a reset that fails is tried again, so the held pages do not stay", async () => {
    vi.useFakeTimers();
    const reads = new DeferredReads();
    const client = new FakeClient();
    const room = open(client);
    await vi.advanceTimersByTimeAsync(10);
    reads.answer({ messages: [message(1), message(2)], hasMore: false });
    await vi.advanceTimersByTimeAsync(10);

    client.subscriptions[0]!.options.onReset!({ topic: "chat:lobby", reason: "unknown_epoch", position: { epoch: "e2", offset: 0 } });
    await vi.advanceTimersByTimeAsync(10);
    reads.fail();
    await vi.advanceTimersByTimeAsync(10);
    expect(texts(room)).toEqual(["message 1", "message 2"]); // shown until the truth is in
    await vi.advanceTimersByTimeAsync(1000);
    reads.answer({ messages: [message(2, { text: "edited", editedAt: "2026-01-01T00:10:00.000Z" }), message(3)], hasMore: false });
    await vi.advanceTimersByTimeAsync(10);
    expect(texts(room)).toEqual(["edited", "message 3"]);
    room.stop();
  });

  it("loads older pages before the oldest message", async () => {
    const requests = serveReads([
      { messages: [message(3), message(4)], hasMore: true },
      { messages: [message(1), message(2)], hasMore: false },
    ]);
    const client = new FakeClient();
    const room = open(client);
    await settle();
    room.loadOlder();
    room.loadOlder(); // already loading: ignored
    await settle();
    expect(requests.filter((r) => r.includes("before="))).toEqual([
      expect.stringContaining(`before=${message(3).id}&limit=50`),
    ]);
    expect(texts(room)).toEqual(["message 1", "message 2", "message 3", "message 4"]);
    expect(room.getSnapshot().hasMore).toBe(false);
  });

  it("applies presence events, including those that arrive while the list is being fetched", async () => {
    const carol = { id: "u-carol", name: "Carol" };
    let release: () => void = () => undefined;
    const client = new FakeClient();
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) => {
        if (url.endsWith("/presence")) {
          await new Promise<void>((resolve) => (release = resolve));
          return Response.json({ users: [BOB] }); // read before Bob left and Carol came
        }
        return Response.json({ messages: [], hasMore: false, position: POSITION });
      }),
    );
    const room = open(client);
    await settle();
    client.emit("presence.left", { user: BOB });
    client.emit("presence.joined", { user: carol });
    release();
    await settle();
    expect(room.getSnapshot().presence.map((u) => u.name)).toEqual(["Ada", "Carol"]);
  });

  it("shows who else is typing for a few seconds", async () => {
    vi.useFakeTimers();
    serveReads([{ messages: [], hasMore: false }]);
    const client = new FakeClient();
    const room = open(client);
    await vi.advanceTimersByTimeAsync(10);

    const signal = (user: User) => client.subscriptions[0]!.options.onSignal!({ topic: "chat:lobby", id: `s-${Math.random()}`, type: "typing", payload: { user }, ts: Date.now() });
    signal(ME);
    signal(BOB);
    expect(room.getSnapshot().typing).toEqual([BOB]);
    await vi.advanceTimersByTimeAsync(TYPING_VISIBLE_MS + 100);
    expect(room.getSnapshot().typing).toEqual([]);

    // Bob's message ends his typing at once.
    signal(BOB);
    client.emit("message.created", { message: message(1) });
    expect(room.getSnapshot().typing).toEqual([]);
  });

  it("sends typing at most once per throttle window, and not after the message is sent", async () => {
    vi.useFakeTimers();
    serveReads([{ messages: [], hasMore: false }]);
    const client = new FakeClient();
    const room = open(client);
    await vi.advanceTimersByTimeAsync(10);
    const typings = () => client.sent.filter((c) => c.type === "chat.typing").length;

    room.typing();
    room.typing();
    expect(typings()).toBe(1);
    await vi.advanceTimersByTimeAsync(3000); // the trailing one
    expect(typings()).toBe(2);

    room.typing(); // inside the window: scheduled…
    room.send("done"); // …and cancelled by sending
    await vi.advanceTimersByTimeAsync(3000);
    expect(typings()).toBe(2);
  });
});
