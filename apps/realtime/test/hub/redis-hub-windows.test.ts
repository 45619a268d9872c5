import { randomUUID } from "node:crypto";
import type { Position } from "@repo/protocol";
import { Redis } from "ioredis";
import { afterAll, describe, expect, test } from "vitest";
import type { Hub, ReadOptions } from "../../src/hub/hub";
import { createRedisHub } from "../../src/hub/redis/redis-hub";

// Reads that may be answered from an instance's copy of the live feed (`liveCopy`, what
// subscribers ask for) cost no Redis command once the topic's window is seeded, and never
// give less than Redis would: the same events in order, or Redis's own answer (a reset)
// whenever the window cannot vouch for the whole answer. On the machine's real Redis.
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const TOPIC = "chat:windows";
const RETENTION = { count: 1000, ageMs: 60_000 };
const LIVE_COPY = { liveCopy: true } as const;
const connections: Redis[] = [];
const prefixes: string[] = [];

/** A command connection that counts what it sends (the hub's own pub/sub connection is a duplicate, not counted). */
function countingConnection() {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  connections.push(redis);
  const sent: string[] = [];
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    sent.push(command.name);
    return send(command, stream);
  };
  return { redis, sent };
}

function hubs() {
  const keyPrefix = `sb-test-${randomUUID().slice(0, 8)}:`;
  prefixes.push(keyPrefix);
  const a = countingConnection();
  const b = countingConnection();
  return {
    keyPrefix,
    a: createRedisHub({ redis: a.redis, retention: RETENTION, keyPrefix }),
    b: createRedisHub({ redis: b.redis, retention: RETENTION, keyPrefix, instanceName: `windows-b-${keyPrefix}` }),
    sentByB: b.sent,
  };
}

async function readAll(hub: Hub, from: Position, options: ReadOptions = LIVE_COPY): Promise<number[]> {
  const result = await hub.read(TOPIC, from, 1000, options);
  if (result.kind !== "events") throw new Error(`expected events, got a reset (${result.reset.reason})`);
  return result.events.map((event) => event.offset);
}

/** Retries an async assertion until it passes (live copies arrive within milliseconds). */
async function eventually(check: () => Promise<void>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

afterAll(async () => {
  const admin = new Redis(REDIS_URL);
  for (const prefix of prefixes) {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
  }
  admin.disconnect();
  for (const redis of connections) redis.disconnect();
});

describe("redis hub: liveCopy reads from the instance's window", () => {
  test("once seeded, another instance's events are read on B in order with no Redis command (heads and signals too); plain reads still ask Redis", async () => {
    const { a, b, sentByB } = hubs();
    const first = await a.publish(TOPIC, "m", { n: 1 });
    const start: Position = { epoch: first.epoch, offset: 0 };
    expect(await readAll(b, start)).toEqual([1]); // seeds B's window (this read goes to Redis)
    for (let n = 2; n <= 50; n++) await a.publish(TOPIC, "m", { n });
    await eventually(async () => expect(await readAll(b, start)).toEqual(range(1, 50)));

    sentByB.length = 0;
    for (let from = 0; from < 50; from += 7) expect(await readAll(b, { epoch: first.epoch, offset: from })).toEqual(range(from + 1, 50));
    expect(await b.recentSignals(TOPIC, 0, LIVE_COPY)).toEqual([]);
    const head = await a.head(TOPIC);
    expect(await b.head(TOPIC, LIVE_COPY)).toEqual(head);
    expect(sentByB).toEqual([]);

    expect(await readAll(b, start, {})).toEqual(range(1, 50));
    expect(sentByB.length).toBeGreaterThan(0);
    await Promise.all([a.close(), b.close()]);
  });

  test("a position older than the window, or ahead of it, is answered by Redis: all the events, or its reset", async () => {
    const { a, b } = hubs();
    const first = await a.publish(TOPIC, "m", { n: 1 });
    for (let n = 2; n <= 300; n++) await a.publish(TOPIC, "m", { n });
    const tail = { epoch: first.epoch, offset: 299 };
    expect(await readAll(b, tail)).toEqual([300]);
    // The window keeps the newest 128: from the start, Redis gives all 300.
    expect(await readAll(b, { epoch: first.epoch, offset: 0 })).toEqual(range(1, 300));
    const ahead = await b.read(TOPIC, { epoch: first.epoch, offset: 400 }, 1000, LIVE_COPY);
    expect(ahead.kind).toBe("reset");
    const foreign = await b.read(TOPIC, { epoch: "other-epoch", offset: 3 }, 1000, LIVE_COPY);
    expect(foreign).toMatchObject({ kind: "reset", reset: { reason: "unknown_epoch" } });
    await Promise.all([a.close(), b.close()]);
  });

  test("history lost in Redis (its keys gone): the next publish's new epoch breaks the window, and B's reader gets a reset, not a gap", async () => {
    const { a, b, keyPrefix } = hubs();
    const first = await a.publish(TOPIC, "m", { n: 1 });
    await a.publish(TOPIC, "m", { n: 2 });
    expect(await readAll(b, { epoch: first.epoch, offset: 0 })).toEqual([1, 2]);
    const admin = new Redis(REDIS_URL);
    await admin.del(`${keyPrefix}{${TOPIC}}:log`, `${keyPrefix}{${TOPIC}}:meta`);
    admin.disconnect();
    const reborn = await a.publish(TOPIC, "m", { n: 3 });
    expect(reborn.epoch).not.toBe(first.epoch);
    await eventually(async () => {
      const result = await b.read(TOPIC, { epoch: first.epoch, offset: 2 }, 1000, LIVE_COPY);
      expect(result).toMatchObject({ kind: "reset", reset: { reason: "unknown_epoch", position: { epoch: reborn.epoch, offset: 1 } } });
    });
    expect(await readAll(b, { epoch: reborn.epoch, offset: 0 })).toEqual([1]);
    await Promise.all([a.close(), b.close()]);
  });

  test("B's live channel cut: its windows are dropped, reads go to Redis meanwhile and still give every event once", async () => {
    const { a, b, keyPrefix } = hubs();
    const first = await a.publish(TOPIC, "m", { n: 1 });
    const start: Position = { epoch: first.epoch, offset: 0 };
    expect(await readAll(b, start)).toEqual([1]);
    const admin = new Redis(REDIS_URL);
    const list = String(await admin.call("CLIENT", "LIST"));
    const live = list.split("\n").filter((line) => line.includes(`name=windows-b-${keyPrefix}:live`));
    expect(live).toHaveLength(1);
    await admin.call("CLIENT", "KILL", "ID", /id=(\d+)/.exec(live[0]!)![1]!);
    admin.disconnect();
    for (let n = 2; n <= 40; n++) await a.publish(TOPIC, "m", { n });
    // Whether the channel is back yet or not, every read is whole.
    await eventually(async () => expect(await readAll(b, start)).toEqual(range(1, 40)));
    await a.publish(TOPIC, "m", { n: 41 });
    await eventually(async () => expect(await readAll(b, start)).toEqual(range(1, 41)));
    await Promise.all([a.close(), b.close()]);
  });

  test("signals: another instance's signal is in B's window within its TTL", async () => {
    const { a, b, sentByB } = hubs();
    expect(await b.recentSignals(TOPIC, 0, LIVE_COPY)).toEqual([]); // seeds
    const sent = await a.signal(TOPIC, "typing", { who: "ada" });
    await eventually(async () => expect((await b.recentSignals(TOPIC, 0, LIVE_COPY)).map((signal) => signal.id)).toEqual([sent.id]));
    sentByB.length = 0;
    expect(await b.recentSignals(TOPIC, sent.ts, LIVE_COPY)).toEqual([]);
    expect(sentByB).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  test("a local publish is in the instance's own window at once (read-your-writes on one instance)", async () => {
    const { b } = hubs();
    const first = await b.publish(TOPIC, "m", { n: 1 });
    expect(await readAll(b, { epoch: first.epoch, offset: 0 })).toEqual([1]);
    const second = await b.publish(TOPIC, "m", { n: 2 });
    expect(await readAll(b, { epoch: first.epoch, offset: 0 })).toEqual([1, 2]);
    expect(second.offset).toBe(2);
    expect(b.listenerCount()).toBe(0); // the window's own listener is not a subscriber's
    await b.close();
  });
});
