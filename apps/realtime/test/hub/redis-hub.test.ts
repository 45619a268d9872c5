import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, test } from "vitest";
import { createRedisConnection } from "../../src/hub/redis/redis-connection";
import { createRedisHub } from "../../src/hub/redis/redis-hub";
import { startTcpProxy } from "../support/tcp-proxy";
import { eventually, hubConformance } from "./hub-conformance";

// The Redis hub against the same conformance suite as the memory hub, on the machine's real
// Redis (REDIS_URL, default 127.0.0.1:6379), each test in its own key prefix; then what only a
// shared hub must do: share topics between instances, and never let a lost live channel or lost
// history pass as a silent gap.
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const connections: Redis[] = [];
const prefixes: string[] = [];

function connect(): Redis {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: false });
  connections.push(redis);
  return redis;
}

function freshPrefix(): string {
  const prefix = `sb-test-${randomUUID().slice(0, 8)}:`;
  prefixes.push(prefix);
  return prefix;
}

afterAll(async () => {
  const admin = connect();
  for (const prefix of prefixes) {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
  }
  for (const redis of connections) redis.disconnect();
});

describe("redis hub: the hub conformance suite", () => {
  hubConformance(async (retention, now) => createRedisHub({ redis: connect(), retention, keyPrefix: freshPrefix(), now }));
});

describe("redis hub: shared by several instances", () => {
  const TOPIC = "chat:room-1";

  test("two instances on one Redis share each topic's offsets, epoch and live events", async () => {
    const keyPrefix = freshPrefix();
    const a = createRedisHub({ redis: connect(), retention: { count: 100, ageMs: 60_000 }, keyPrefix });
    const b = createRedisHub({ redis: connect(), retention: { count: 100, ageMs: 60_000 }, keyPrefix });
    const onB: number[] = [];
    b.listen(TOPIC, (event) => onB.push(event.offset));
    await b.read(TOPIC, null);
    const first = await a.publish(TOPIC, "m", 1);
    const second = await b.publish(TOPIC, "m", 2);
    expect([first.offset, second.offset, second.epoch]).toEqual([1, 2, first.epoch]);
    await eventually(() => onB.length === 2);
    expect(onB).toEqual([1, 2]);
    const fromA = await a.read(TOPIC, { epoch: first.epoch, offset: 0 });
    expect(fromA.kind === "events" && fromA.events.map((e) => e.payload)).toEqual([1, 2]);
    await Promise.all([a.close(), b.close()]);
  });

  test("an entry is decoded once per instance: reads and the live copy share one event object (and so one JSON encoding)", async () => {
    const keyPrefix = freshPrefix();
    const a = createRedisHub({ redis: connect(), retention: { count: 100, ageMs: 60_000 }, keyPrefix });
    const b = createRedisHub({ redis: connect(), retention: { count: 100, ageMs: 60_000 }, keyPrefix });
    const live: unknown[] = [];
    b.listen(TOPIC, (event) => live.push(event));
    const head = await b.read(TOPIC, null);
    const published = await a.publish(TOPIC, "m", { text: "once" });
    await eventually(() => live.length === 1);
    const from = head.kind === "events" ? head.position : null;
    const [first, second] = await Promise.all([b.read(TOPIC, from), b.read(TOPIC, from)]);
    if (first.kind !== "events" || second.kind !== "events") throw new Error("expected events");
    expect(first.events).toHaveLength(1);
    expect(first.events[0]).toBe(second.events[0]);
    expect(first.events[0]).toBe(live[0]);
    expect(first.events[0]).toMatchObject({ topic: TOPIC, epoch: published.epoch, offset: published.offset, type: "m", payload: { text: "once" } });
    // Another instance decodes its own copy: equal, not shared across processes' caches.
    const onA = await a.read(TOPIC, from);
    expect(onA.kind === "events" && onA.events[0]).toEqual(first.events[0]);
    await Promise.all([a.close(), b.close()]);
  });

  test("the live channel dropping (client killed) is never a silent gap: listeners are told to re-read, then live resumes", async () => {
    const keyPrefix = freshPrefix();
    const publisher = createRedisHub({ redis: connect(), retention: { count: 100, ageMs: 60_000 }, keyPrefix });
    let resumed = 0;
    const follower = createRedisHub({
      redis: connect(),
      retention: { count: 100, ageMs: 60_000 },
      keyPrefix,
      instanceName: `follower-${keyPrefix}`,
      onLiveResumed: () => resumed++,
    });
    const live: number[] = [];
    const lost: string[] = [];
    follower.listen(TOPIC, (event) => live.push(event.offset), undefined, (topic) => lost.push(topic));
    await follower.read(TOPIC, null);
    await publisher.publish(TOPIC, "m", 1);
    await eventually(() => live.length === 1);

    // Kill the follower's pub/sub connection (as a network cut or Redis's output-buffer limit would).
    const admin = connect();
    const clients = await admin.call("CLIENT", "LIST");
    const ids = String(clients)
      .split("\n")
      .filter((line) => line.includes(`name=follower-${keyPrefix}:live`))
      .map((line) => /id=(\d+)/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) await admin.client("KILL", "ID", id);
    // Published while the follower is not subscribed: missed live, must be re-read.
    await publisher.publish(TOPIC, "m", 2);
    await eventually(() => resumed > 0 && lost.length > 0, 10_000);
    expect(lost).toContain(TOPIC);
    expect(live).toEqual([1]); // offset 2 was never delivered out of sequence
    const reread = await follower.read(TOPIC, { epoch: (await follower.head(TOPIC)).epoch, offset: 1 });
    expect(reread.kind === "events" && reread.events.map((e) => e.offset)).toEqual([2]);
    await publisher.publish(TOPIC, "m", 3);
    await eventually(() => live.includes(3));
    await Promise.all([publisher.close(), follower.close()]);
  });

  test("history lost in Redis (an evicted meta, an expired log) is an explicit reset, never a gap", async () => {
    const keyPrefix = freshPrefix();
    const redis = connect();
    const hub = createRedisHub({ redis, retention: { count: 100, ageMs: 60_000 }, keyPrefix });
    const first = await hub.publish(TOPIC, "m", 1);
    await hub.publish(TOPIC, "m", 2);
    // The log goes (maxmemory eviction, TTL) but the meta stays: the cursor is behind what is kept.
    await redis.del(`${keyPrefix}{${TOPIC}}:log`);
    const trimmed = await hub.read(TOPIC, { epoch: first.epoch, offset: 1 });
    expect(trimmed.kind === "reset" && trimmed.reset.reason).toBe("retention");
    // The meta goes too (a Redis restart without persistence): a new epoch, so old cursors reset.
    await redis.del(`${keyPrefix}{${TOPIC}}:meta`);
    const next = await hub.publish(TOPIC, "m", 3);
    expect(next.epoch).not.toBe(first.epoch);
    expect(next.offset).toBe(1);
    const stale = await hub.read(TOPIC, { epoch: first.epoch, offset: 2 });
    expect(stale.kind === "reset" && stale.reset.reason).toBe("unknown_epoch");
    await hub.close();
  });

  test("Redis unreachable (a network cut): publish and read fail at once with a typed unavailable error; once it is back, commands work and listeners re-read what they missed", async () => {
    const keyPrefix = freshPrefix();
    const proxy = await startTcpProxy(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
    const redis = createRedisConnection(`redis://127.0.0.1:${proxy.port}`, `cut-${keyPrefix}`);
    connections.push(redis);
    redis.on("error", () => {});
    await eventually(() => redis.status === "ready");
    const hub = createRedisHub({ redis, retention: { count: 100, ageMs: 60_000 }, keyPrefix });
    const publisher = createRedisHub({ redis: connect(), retention: { count: 100, ageMs: 60_000 }, keyPrefix });
    const lost: string[] = [];
    hub.listen(TOPIC, () => {}, undefined, (topic) => lost.push(topic));
    const { epoch } = await hub.head(TOPIC);
    await hub.read(TOPIC, { epoch, offset: 0 });

    proxy.cut();
    const started = Date.now();
    await expect(hub.publish(TOPIC, "m", 1)).rejects.toMatchObject({ code: "unavailable" });
    await expect(hub.read(TOPIC, null)).rejects.toMatchObject({ code: "unavailable" });
    expect(Date.now() - started).toBeLessThan(5000);
    await publisher.publish(TOPIC, "m", "while cut");

    proxy.restore();
    await eventually(() => lost.includes(TOPIC), 10_000);
    await eventually(() => redis.status === "ready", 10_000);
    const reread = await hub.read(TOPIC, { epoch, offset: 0 });
    expect(reread.kind === "events" && reread.events.map((e) => e.payload)).toEqual(["while cut"]);
    await expect(hub.publish(TOPIC, "m", 2)).resolves.toMatchObject({ offset: 2 });
    await Promise.all([hub.close(), publisher.close()]);
    await proxy.close();
  });
});
