// The subscription core on its own: a real hub, presence, topic policy and auth (over
// in-memory PGlite), and a subscriber whose I/O only records what it is given.
import { createDatabase, type Database } from "@repo/db";
import type { ClosingNotice, EventEnvelope, ResetSignal, Topic } from "@repo/protocol";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createAuth, type AuthUser } from "../../src/auth/auth";
import type { Hub } from "../../src/hub/hub";
import { createMemoryHub } from "../../src/hub/memory-hub";
import { createPresence } from "../../src/hub/presence";
import { createTopicPolicy } from "../../src/hub/topic-policy";
import { readFlagDefinitions } from "../../src/flags/flag-definitions";
import { createServiceFlags, type ServiceFlags } from "../../src/flags/service-flags";
import { createTransportGate } from "../../src/flags/transport-gate";
import { createMetrics } from "../../src/observability/metrics";
import type { SubscriberIo } from "../../src/subscriptions/subscriber";
import { createSubscriptionCore } from "../../src/subscriptions/subscription-core";

const TOPIC = "system:ticker";
let db: Database;
let user: AuthUser;
let flags: ServiceFlags;

beforeAll(async () => {
  db = await createDatabase({ pgliteDir: "memory" });
  flags = await createServiceFlags({ definitions: readFlagDefinitions(), log: pino({ level: "silent" }), registry: createMetrics().registry });
});
afterAll(async () => {
  await flags.close();
  await db.close();
});

function setUp(hub: Hub, limits = { perUser: 100, perIp: 100 }) {
  const auth = createAuth({ db, secret: "x".repeat(32), sessionTtlSeconds: 3600 });
  const topics = createTopicPolicy();
  topics.register("system", () => true);
  const core = createSubscriptionCore({
    hub,
    presence: createPresence({ ttlMs: 1000 }),
    topics,
    auth,
    metrics: createMetrics(),
    log: pino({ level: "silent" }),
    maxBufferedBytes: 1024 * 1024,
    connectionLimits: limits,
    sessionRevalidateMs: 60_000,
    gate: createTransportGate(flags),
  });
  return { core, auth, topics };
}

function recorder() {
  const received: EventEnvelope[] = [];
  const resets: ResetSignal[] = [];
  const revoked: Topic[] = [];
  const closings: ClosingNotice[] = [];
  const io: SubscriberIo = {
    event: (event) => received.push(event),
    reset: (reset) => resets.push(reset),
    signal: () => {},
    revoked: (topic) => revoked.push(topic),
    queuedBytes: () => 0,
    close: (notice) => closings.push(notice),
  };
  return { io, received, resets, revoked, closings };
}

describe("subscriber", () => {
  beforeAll(async () => {
    const auth = createAuth({ db, secret: "x".repeat(32), sessionTtlSeconds: 3600 });
    const { token } = await auth.signIn("Ada");
    user = (await auth.authenticate(token))!;
  });

  test("catch-up then live with no gap and no duplicate while publishing concurrently", async () => {
    const hub = createMemoryHub({ count: 10_000, ageMs: 60_000 });
    const { core } = setUp(hub);
    const first = await hub.publish(TOPIC, "tick", 0);
    for (let i = 1; i < 500; i++) await hub.publish(TOPIC, "tick", i);
    const out = recorder();
    const subscriber = core.subscriber({ transport: "sse", user, ip: "127.0.0.1", io: out.io, channels: core.sharedChannels });
    const publishing = (async () => {
      for (let i = 500; i < 1000; i++) await hub.publish(TOPIC, "tick", i);
    })();
    await Promise.all([subscriber.subscribe({ [TOPIC]: { epoch: first.epoch, offset: 10 } }), publishing]);
    expect(out.received.map((e) => e.offset)).toEqual(Array.from({ length: 990 }, (_, i) => i + 11));
    expect(subscriber.positions()[TOPIC]).toEqual({ epoch: first.epoch, offset: 1000 });
    subscriber.close();
    expect(hub.listenerCount()).toBe(0);
    expect(core.registry.size()).toBe(0);
  });

  test("reports a reset and continues live from its position", async () => {
    const hub = createMemoryHub({ count: 100, ageMs: 60_000 });
    const { core } = setUp(hub);
    await hub.publish(TOPIC, "tick", 1);
    const out = recorder();
    const subscriber = core.subscriber({ transport: "sse", user, ip: "127.0.0.1", io: out.io, channels: core.sharedChannels });
    await subscriber.subscribe({ [TOPIC]: { epoch: "old", offset: 5 } });
    await hub.publish(TOPIC, "tick", 2);
    expect(out.resets).toHaveLength(1);
    expect(out.resets[0]!.reason).toBe("unknown_epoch");
    expect(out.received.map((e) => e.offset)).toEqual([2]);
    subscriber.close();
  });

  test("a budget stops the backlog and names the topic in `more`; nothing past it was sent", async () => {
    const hub = createMemoryHub({ count: 10_000, ageMs: 60_000 });
    const { core } = setUp(hub);
    const first = await hub.publish(TOPIC, "tick", 0);
    for (let i = 1; i < 300; i++) await hub.publish(TOPIC, "tick", i);
    const out = recorder();
    const subscriber = core.subscriber({ transport: "websocket", user, ip: "127.0.0.1", io: out.io, channels: core.channels() });
    const outcome = await subscriber.subscribe({ [TOPIC]: { epoch: first.epoch, offset: 0 } }, { events: 120, bytes: 1 << 20 });
    expect(outcome.more).toEqual([TOPIC]);
    expect(outcome.positions[TOPIC]).toEqual({ epoch: first.epoch, offset: 120 });
    expect(out.received.map((e) => e.offset)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    // Not live: a new event is not sent until the client asks again.
    await hub.publish(TOPIC, "tick", 300);
    expect(out.received).toHaveLength(120);
    expect(subscriber.follows(TOPIC)).toBe(false);
    subscriber.close();
  });

  test("the connection caps count every transport of a user together", async () => {
    const hub = createMemoryHub({ count: 100, ageMs: 60_000 });
    const { core } = setUp(hub, { perUser: 2, perIp: 100 });
    const open = (transport: "sse" | "websocket" | "long-polling") =>
      core.subscriber({ transport, user, ip: "127.0.0.1", io: recorder().io, channels: core.sharedChannels });
    const a = open("sse");
    const b = open("websocket");
    expect(() => open("long-polling")).toThrow(expect.objectContaining({ code: "rate_limited" }));
    a.close();
    const c = open("long-polling");
    b.close();
    c.close();
    expect(core.registry.size()).toBe(0);
  });

  test("a revocation while the subscribe is being authorized leaves the topic unfollowed", async () => {
    const hub = createMemoryHub({ count: 100, ageMs: 60_000 });
    const { core, topics } = setUp(hub);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    topics.register("chat", async () => {
      await gate;
      return true;
    });
    const out = recorder();
    const subscriber = core.subscriber({ transport: "sse", user, ip: "127.0.0.1", io: out.io, channels: core.sharedChannels });
    const subscribing = subscriber.subscribe({ "chat:room": null });
    topics.revoke(user.id, "chat:room");
    release();
    await subscribing;
    expect(subscriber.follows("chat:room")).toBe(false);
    expect(out.revoked).toEqual(["chat:room"]);
    await hub.publish("chat:room", "message", {});
    expect(out.received).toHaveLength(0);
    subscriber.close();
  });
});
