import type { EventEnvelope, Topic } from "@repo/protocol";
import { describe, expect, it } from "vitest";
import { FeatureClients, type FeatureClient } from "../src/lib/flags/feature-clients";
import type { Assignment } from "../src/lib/flags/feature-transport";
import { TransportFollower, type TransportMove } from "../src/lib/flags/transport-follower";

/** Stands in for a RealtimeClient: records switches, lets a test move it or deliver an event. */
class FakeClient implements FeatureClient {
  switches: string[] = [];
  closed = false;
  private readonly moved = new Set<(move: TransportMove) => void>();
  private readonly topics = new Map<Topic, (event: EventEnvelope) => void>();

  constructor(public transportInUse: string) {}

  switchTransport(name: string): void {
    this.switches.push(name);
    this.transportInUse = name;
  }

  on(_event: "moved", listener: (move: TransportMove) => void): () => void {
    this.moved.add(listener);
    return () => void this.moved.delete(listener);
  }

  subscribe(topic: Topic, onEvent: (event: EventEnvelope) => void): () => void {
    this.topics.set(topic, onEvent);
    return () => void this.topics.delete(topic);
  }

  close(): void {
    this.closed = true;
  }

  /** The SDK moved it (a kill switch, a fallback). */
  serviceMoves(to: string, reason = "transport_disabled"): void {
    const from = this.transportInUse;
    this.transportInUse = to;
    for (const listener of [...this.moved]) listener({ from, to, reason });
  }

  deliver(topic: Topic, event: Omit<EventEnvelope, "topic" | "ts">): void {
    this.topics.get(topic)?.({ ...event, topic, ts: Date.now() });
  }
}

const byFlag = (transport: Assignment["transport"], flag = "transport.chat"): Assignment => ({ transport, source: { kind: "flag", flag } });
const byOverride = (transport: Assignment["transport"]): Assignment => ({ transport, source: { kind: "override" } });

describe("TransportFollower", () => {
  it("switches in place when the assignment's transport changes, and only then", () => {
    const client = new FakeClient("websocket");
    const follower = new TransportFollower("chat", client, { ...byFlag("websocket"), enabled: true });
    follower.assign(byFlag("websocket"), true);
    expect(client.switches).toEqual([]);
    follower.assign(byFlag("sse"), true);
    expect(client.switches).toEqual(["sse"]);
    expect(follower.getSnapshot()).toMatchObject({ transport: "sse", cause: { kind: "flag", flag: "transport.chat" } });
    expect(follower.getSnapshot().lastChange).toMatchObject({ from: "websocket", to: "sse", cause: { kind: "flag" } });
  });

  it("after the service moved the client, says so and does not force it back while the flag stays", () => {
    const client = new FakeClient("websocket");
    const follower = new TransportFollower("chat", client, { ...byFlag("websocket"), enabled: true });
    client.serviceMoves("sse");
    expect(follower.getSnapshot()).toMatchObject({ transport: "sse", cause: { kind: "moved", from: "websocket", reason: "transport_disabled" } });
    // The refetch then shows WebSocket switched off; the flag still says WebSocket.
    follower.assign(byFlag("websocket"), false);
    expect(client.switches).toEqual([]);
    expect(follower.getSnapshot().cause).toMatchObject({ kind: "moved" });
    // Switched on again: back where the flag says.
    follower.assign(byFlag("websocket"), true);
    expect(client.switches).toEqual(["websocket"]);
    expect(follower.getSnapshot().cause).toMatchObject({ kind: "flag" });
  });

  it("a move with an override in the URL: the URL follows, no switch, the move stays the reason", () => {
    const client = new FakeClient("websocket");
    const follower = new TransportFollower("chat", client, { ...byOverride("websocket"), enabled: null });
    client.serviceMoves("sse", "fallback");
    follower.assign(byOverride("sse"), null);
    expect(client.switches).toEqual([]);
    expect(follower.getSnapshot()).toMatchObject({ transport: "sse", cause: { kind: "moved", reason: "fallback" } });
    // A new choice in the URL is followed.
    follower.assign(byOverride("polling"), null);
    expect(client.switches).toEqual(["polling"]);
    expect(follower.getSnapshot().cause).toEqual({ kind: "override" });
  });

  it("tells its listeners, with a new snapshot per change", () => {
    const client = new FakeClient("websocket");
    const follower = new TransportFollower("game", client, { ...byFlag("websocket", "transport.game"), enabled: true });
    let calls = 0;
    follower.subscribe(() => calls++);
    const before = follower.getSnapshot();
    expect(follower.getSnapshot()).toBe(before);
    follower.assign(byFlag("long-polling", "transport.game"), true);
    expect(calls).toBe(1);
    expect(follower.getSnapshot()).not.toBe(before);
  });
});

describe("FeatureClients", () => {
  function registry() {
    const made: FakeClient[] = [];
    const refetches: string[] = [];
    const clients = new FeatureClients<FakeClient>({
      create: (_feature, transport) => {
        const client = new FakeClient(transport);
        made.push(client);
        return client;
      },
      onFlagsChanged: ({ etag }) => refetches.push(etag),
    });
    return { clients, made, refetches };
  }

  it("makes one client per feature, on first use, on its assignment", () => {
    const { clients, made } = registry();
    const chat = clients.client("chat", byFlag("sse"), true);
    expect(clients.client("chat", byFlag("polling"), true)).toBe(chat);
    clients.client("notifications", byFlag("long-polling", "transport.notifications"), true);
    expect(made.map((client) => client.transportInUse)).toEqual(["sse", "long-polling"]);
    // The game was never asked for: no client, and assigning it does nothing.
    clients.assign("game", byFlag("polling", "transport.game"), true);
    expect(made).toHaveLength(2);
    expect(Object.keys(clients.getSnapshot()).sort()).toEqual(["chat", "notifications"]);
  });

  it("one refetch per change, whichever clients deliver it", () => {
    const { clients, made, refetches } = registry();
    clients.client("chat", byFlag("sse"), true);
    clients.client("notifications", byFlag("websocket", "transport.notifications"), true);
    const change = (offset: number, etag: string) => ({ offset, epoch: "e", type: "flags.changed", payload: { etag, flagsChanged: ["transport.chat"] } });
    for (const client of made) client.deliver("flags:changes", change(1, "a"));
    for (const client of made) client.deliver("flags:changes", change(2, "b"));
    // An undo brings "a" back: a change of its own.
    for (const client of made) client.deliver("flags:changes", change(3, "a"));
    made[0]!.deliver("flags:changes", { offset: 4, epoch: "e", type: "something.else", payload: {} });
    expect(refetches).toEqual(["a", "b", "a"]);
  });

  it("reports moves per feature and closes every client", () => {
    const { clients, made } = registry();
    clients.client("chat", byFlag("websocket"), true);
    const moves: string[] = [];
    clients.onMoved((feature, move) => moves.push(`${feature} ${move.from}→${move.to}`));
    made[0]!.serviceMoves("sse");
    expect(moves).toEqual(["chat websocket→sse"]);
    clients.close();
    expect(made[0]!.closed).toBe(true);
    expect(() => clients.client("chat", byFlag("sse"), true)).toThrow(/closed/);
  });
});
