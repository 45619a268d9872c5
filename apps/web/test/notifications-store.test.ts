import { createServiceApi, type RealtimeClient, type SubscribeOptions } from "@repo/client";
import { ProtocolError, type EventEnvelope, type Notification, type NotificationsResponse, type Position, type User } from "@repo/protocol";
import type { z } from "zod";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NotificationsStore } from "../src/features/notifications/state/notifications-store";
import { BOB } from "./fixtures";

const ME: User = { id: "u-ada", name: "Ada" };
const MY_TOPIC = "notify:u-ada";
const BROADCASTS = "notify:broadcast";

/** Notification id number `n`: ids sort (and so list) with `n`, as UUIDs v7 do with time. */
const nid = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, "0")}`;

type Mention = Extract<Notification, { kind: "mention" }>;
type Broadcast = Extract<Notification, { kind: "broadcast" }>;

function mention(n: number, patch: Partial<Mention> = {}): Mention {
  return {
    id: nid(n),
    kind: "mention",
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    read: false,
    roomId: "lobby",
    messageId: `00000000-0000-7000-9000-${String(n).padStart(12, "0")}`,
    author: BOB,
    excerpt: `@Ada look at ${n}`,
    ...patch,
  };
}

function broadcast(n: number, patch: Partial<Broadcast> = {}): Broadcast {
  return {
    id: nid(n),
    kind: "broadcast",
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    read: false,
    title: `Broadcast ${n}`,
    body: "Maintenance tonight",
    silent: false,
    ...patch,
  };
}

type Page = Omit<NotificationsResponse, "positions"> & { positions?: NotificationsResponse["positions"] };
const page = (notifications: Notification[], unread: number, nextBefore: string | null = null): Page => ({ notifications, unread, nextBefore });

const POSITIONS = { user: { epoch: "e1", offset: 10 }, broadcast: { epoch: "e1", offset: 20 } };

/**
 * Just enough of RealtimeClient: records commands and subscriptions; the test delivers events.
 * Its reads are the SDK's own, over the fetch each test stubs.
 */
class FakeClient {
  private readonly reads = createServiceApi({ baseUrl: "http://realtime.test" });
  transportInUse = "websocket";
  sent: Array<{ type: string; payload: unknown }> = [];
  subscriptions: Array<{ topic: string; onEvent: (e: EventEnvelope) => void; options: SubscribeOptions; active: boolean }> = [];
  answer: (command: { type: string; payload: unknown }) => Promise<unknown> = () => Promise.resolve({});
  private readonly offsets: Record<string, Position> = { [MY_TOPIC]: { ...POSITIONS.user }, [BROADCASTS]: { ...POSITIONS.broadcast } };

  get<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
    return this.reads.get(path, schema);
  }

  send(command: { type: string; payload: unknown }) {
    this.sent.push(command);
    return this.answer(command);
  }

  subscribe(topic: string, onEvent: (e: EventEnvelope) => void, options: SubscribeOptions) {
    const subscription = { topic, onEvent, options, active: true };
    this.subscriptions.push(subscription);
    return () => void (subscription.active = false);
  }

  private live(topic: string) {
    const subscription = this.subscriptions.findLast((s) => s.topic === topic && s.active);
    if (!subscription) throw new Error(`not following ${topic}`);
    return subscription;
  }

  /** Delivers the next event of `topic` (offsets go up from the page's positions). */
  emit(topic: string, type: string, payload: unknown) {
    const at = this.offsets[topic]!;
    at.offset++;
    this.live(topic).onEvent({ topic, epoch: at.epoch, offset: at.offset, type, payload, ts: Date.now() });
  }

  /** The server lost `topic`'s history: a reset, then the topic carries on in `epoch`. */
  reset(topic: string, epoch: string) {
    this.offsets[topic] = { epoch, offset: 0 };
    this.live(topic).options.onReset?.({ topic, reason: "unknown_epoch", position: { epoch, offset: 0 } });
  }
}

/**
 * Answers the list and preferences GETs: list pages from `pages` in turn (the last one
 * repeats), held until `release()` when `hold` is set.
 */
class Reads {
  readonly urls: string[] = [];
  silentBroadcasts = false;
  private readonly held: Array<() => void> = [];
  hold = false;

  constructor(private readonly pages: Page[]) {
    vi.stubGlobal(
      "fetch",
      vi.fn((url: string) => {
        this.urls.push(url);
        if (new URL(url).pathname.endsWith("/preferences")) {
          return Promise.resolve(Response.json({ preferences: { silentBroadcasts: this.silentBroadcasts, mutedRooms: [] } }));
        }
        const next = this.pages.length > 1 ? this.pages.shift()! : this.pages[0]!;
        const response = () => Response.json({ positions: POSITIONS, ...next });
        if (!this.hold) return Promise.resolve(response());
        return new Promise<Response>((resolve) => this.held.push(() => resolve(response())));
      }),
    );
  }

  release() {
    for (const resolve of this.held.splice(0)) resolve();
  }

  get lists(): string[] {
    return this.urls.filter((url) => !url.endsWith("/preferences"));
  }
}

async function settle() {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

async function open(client: FakeClient) {
  const store = new NotificationsStore(client as unknown as RealtimeClient, ME);
  const arrived: string[] = [];
  store.onArrival((notification) => arrived.push(notification.id));
  store.start();
  await settle();
  return { store, arrived };
}

const ids = (store: NotificationsStore) => store.getSnapshot().items.map((n) => n.id);
const readIds = (store: NotificationsStore) => store.getSnapshot().items.filter((n) => n.read).map((n) => n.id);

beforeEach(() => vi.unstubAllGlobals());
afterEach(() => vi.unstubAllGlobals());

describe("NotificationsStore", () => {
  it("loads the first page, the count and the preferences, then follows both topics from the page's positions", async () => {
    const reads = new Reads([page([mention(2), broadcast(1)], 2, nid(1))]);
    const client = new FakeClient();
    const { store } = await open(client);

    expect(reads.lists[0]).toMatch(/\/v1\/notifications\?limit=20$/);
    expect(client.subscriptions.map((s) => [s.topic, s.options.cursor])).toEqual([
      [MY_TOPIC, POSITIONS.user],
      [BROADCASTS, POSITIONS.broadcast],
    ]);
    expect(store.getSnapshot()).toMatchObject({ phase: "ready", unread: 2, hasMore: true, preferences: { silentBroadcasts: false } });
    expect(ids(store)).toEqual([nid(2), nid(1)]);
    store.stop();
    expect(client.subscriptions.every((s) => !s.active)).toBe(true);
  });

  it("keeps a notification once when it is in the page and in an event, and alerts only new ones", async () => {
    new Reads([page([mention(2), broadcast(1)], 2)]);
    const client = new FakeClient();
    const { store, arrived } = await open(client);

    client.emit(MY_TOPIC, "notification.created", { notification: mention(2), unread: 2 });
    client.emit(BROADCASTS, "broadcast.created", { notification: broadcast(1) });
    expect(ids(store)).toEqual([nid(2), nid(1)]);
    expect(store.getSnapshot().unread).toBe(2); // the broadcast in the page was counted there
    expect(arrived).toEqual([]);

    client.emit(MY_TOPIC, "notification.created", { notification: mention(3), unread: 3 });
    client.emit(BROADCASTS, "broadcast.created", { notification: broadcast(4) });
    expect(ids(store)).toEqual([nid(4), nid(3), nid(2), nid(1)]);
    expect(store.getSnapshot().unread).toBe(4); // 3 from the event, + the new broadcast
    expect(arrived).toEqual([nid(3), nid(4)]);
    expect(store.getSnapshot().traffic.websocket?.events).toBe(4);
  });

  it("follows read state from notify:<me> (another tab's mark read and mark all read), also for a broadcast heard later", async () => {
    new Reads([page([mention(3), broadcast(2), mention(1)], 3)]);
    const client = new FakeClient();
    const { store, arrived } = await open(client);

    client.emit(MY_TOPIC, "notification.read", { id: nid(3), unread: 2 });
    expect(readIds(store)).toEqual([nid(3)]);
    expect(store.getSnapshot().unread).toBe(2);

    // Another tab read a broadcast this tab has not heard of yet, then marked all read through 6.
    client.emit(MY_TOPIC, "notification.read", { id: nid(7), unread: 2 });
    client.emit(MY_TOPIC, "notifications.allRead", { readThrough: nid(6), unread: 0 });
    expect(readIds(store)).toEqual([nid(3), nid(2), nid(1)]);
    expect(store.getSnapshot().unread).toBe(0);

    // The broadcasts arrive on their own topic afterwards: read already, not counted, not alerted.
    client.emit(BROADCASTS, "broadcast.created", { notification: broadcast(5) });
    client.emit(BROADCASTS, "broadcast.created", { notification: broadcast(7) });
    client.emit(BROADCASTS, "broadcast.created", { notification: broadcast(8) });
    expect(readIds(store)).toEqual([nid(7), nid(5), nid(3), nid(2), nid(1)]);
    expect(store.getSnapshot().unread).toBe(1);
    expect(arrived).toEqual([nid(8)]);

    client.emit(MY_TOPIC, "notification.removed", { id: nid(1), unread: 1 });
    expect(ids(store)).not.toContain(nid(1));
  });

  it("marks read and all read through the commands, taking the count from their answers", async () => {
    new Reads([page([mention(2), mention(1)], 2)]);
    const client = new FakeClient();
    const { store } = await open(client);
    client.answer = (command) =>
      Promise.resolve(command.type === "notify.markRead" ? { id: nid(1), unread: 1 } : { readThrough: nid(2), unread: 0 });

    expect(await store.markRead(nid(1))).toEqual({ ok: true });
    expect(client.sent.at(-1)).toEqual({ type: "notify.markRead", payload: { notificationId: nid(1) } });
    expect(store.getSnapshot().unread).toBe(1);
    expect(await store.markAllRead()).toEqual({ ok: true });
    expect(client.sent.at(-1)).toEqual({ type: "notify.markAllRead", payload: {} });
    expect(readIds(store)).toEqual([nid(2), nid(1)]);
    expect(store.getSnapshot().unread).toBe(0);
  });

  it("lists a broadcast as silent when the preference says so: not counted, not alerted", async () => {
    const reads = new Reads([page([], 0)]);
    reads.silentBroadcasts = true;
    const client = new FakeClient();
    const { store, arrived } = await open(client);

    client.emit(BROADCASTS, "broadcast.created", { notification: broadcast(1) });
    expect(store.getSnapshot().items[0]).toMatchObject({ id: nid(1), silent: true, read: false });
    expect(store.getSnapshot().unread).toBe(0);
    expect(arrived).toEqual([]);
  });

  it("on a reset refetches the first page and the count, replaying what arrived after the page's positions", async () => {
    // The service restarted: its topics start again in epoch e2.
    const afterRestart = { user: { epoch: "e2", offset: 0 }, broadcast: { epoch: "e2", offset: 0 } };
    const reads = new Reads([page([mention(2), mention(1)], 2), { ...page([mention(5), mention(2, { read: true })], 1), positions: afterRestart }]);
    const client = new FakeClient();
    const { store, arrived } = await open(client);

    reads.hold = true;
    client.reset(MY_TOPIC, "e2");
    await settle();
    expect(reads.lists).toHaveLength(2);
    // Arrives while the page is out, after the page's position: replayed on top of it.
    client.emit(MY_TOPIC, "notification.created", { notification: mention(6), unread: 2 });
    expect(arrived).toEqual([nid(6)]);
    reads.release();
    await settle();

    expect(ids(store)).toEqual([nid(6), nid(5), nid(2)]); // 1 is gone (it expired meanwhile)
    expect(readIds(store)).toEqual([nid(2)]);
    expect(store.getSnapshot().unread).toBe(2);
    expect(arrived).toEqual([nid(6)]); // replaying does not alert again
  });

  it("after a refetch, replays only what came after the page's position: what came before is in the page", async () => {
    const readLater = { user: { epoch: "e1", offset: 11 }, broadcast: POSITIONS.broadcast };
    const reads = new Reads([page([mention(3)], 1), { ...page([mention(4, { read: true }), mention(3)], 1), positions: readLater }]);
    const client = new FakeClient();
    const { store } = await open(client);

    reads.hold = true;
    client.reset(BROADCASTS, "e1");
    await settle();
    // Offset 11, before the page's position: the page has it (and its read at 12, which reaches us later).
    client.emit(MY_TOPIC, "notification.created", { notification: mention(4), unread: 2 });
    reads.release();
    await settle();
    expect(readIds(store)).toEqual([nid(4)]);
    expect(store.getSnapshot().unread).toBe(1);
    client.emit(MY_TOPIC, "notification.read", { id: nid(4), unread: 1 });
    client.emit(MY_TOPIC, "notification.read", { id: nid(3), unread: 0 });
    expect(readIds(store)).toEqual([nid(4), nid(3)]);
    expect(store.getSnapshot().unread).toBe(0);
  });

  it("refetches when broadcasts are made silent (the count changes, and no event says how)", async () => {
    const reads = new Reads([page([broadcast(1)], 1), page([broadcast(1, { silent: true })], 0)]);
    const client = new FakeClient();
    const { store } = await open(client);
    reads.silentBroadcasts = true; // stored by another tab

    client.emit(MY_TOPIC, "preferences.changed", { preferences: { silentBroadcasts: true, mutedRooms: [] } });
    expect(store.getSnapshot().items[0]).toMatchObject({ silent: true });
    await settle();
    expect(reads.lists).toHaveLength(2);
    expect(store.getSnapshot().unread).toBe(0);

    client.emit(MY_TOPIC, "preferences.changed", { preferences: { silentBroadcasts: true, mutedRooms: ["lobby"] } });
    await settle();
    expect(reads.lists).toHaveLength(2); // only the muted rooms changed: nothing to refetch
    expect(store.getSnapshot().preferences?.mutedRooms).toEqual(["lobby"]);
  });

  it("loads older pages by keyset, below the list, without changing the count", async () => {
    const reads = new Reads([page([mention(4), mention(3)], 4, nid(3)), page([mention(2), mention(1)], 9, null)]);
    const client = new FakeClient();
    const { store } = await open(client);

    store.loadOlder();
    await settle();
    expect(reads.lists[1]).toMatch(new RegExp(`/v1/notifications\\?before=${nid(3)}&limit=20$`));
    expect(ids(store)).toEqual([nid(4), nid(3), nid(2), nid(1)]);
    expect(store.getSnapshot()).toMatchObject({ hasMore: false, unread: 4 });
  });

  it("ignores events it does not know and shows a refused topic as an error", async () => {
    new Reads([page([], 0)]);
    const client = new FakeClient();
    const { store } = await open(client);
    client.emit(MY_TOPIC, "something.else", { ignored: true });
    expect(store.getSnapshot()).toMatchObject({ phase: "ready", items: [] });
    client.subscriptions[0]!.options.onError?.(new ProtocolError("forbidden", "Not yours"));
    expect(store.getSnapshot()).toMatchObject({ phase: "error" });
  });
});
