import { randomUUID } from "node:crypto";
import { createDatabase, type Database } from "@repo/db";
import { echoTopic } from "@repo/protocol";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createRedisConnection } from "../../src/hub/redis/redis-connection";
import { createRedisHub } from "../../src/hub/redis/redis-hub";
import { range, record, signIn, sleep, startTestServer, testClient, transports, waitFor, type TestServer } from "../sdk/support/server";

// Two service instances on one Redis hub (and one database): a client of instance B hears
// what instance A publishes, in order and once each, on every transport — also when B's live
// channel to Redis is cut mid-stream (the hub tells B's subscribers to re-read; no silent gap).
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const keyPrefix = `sb-test-${randomUUID().slice(0, 8)}:`;
const retention = { count: 10_000, ageMs: 10 * 60_000 };
let db: Database;
let a: TestServer;
let b: TestServer;
const redisA = createRedisConnection(REDIS_URL, "instance-a");
const redisB = createRedisConnection(REDIS_URL, `instance-b-${keyPrefix}`);
const admin = new Redis(REDIS_URL);

beforeAll(async () => {
  await waitFor(() => redisA.status === "ready" && redisB.status === "ready", "Redis");
  db = await createDatabase({ pgliteDir: "memory" });
  a = await startTestServer({}, { db, hub: createRedisHub({ redis: redisA, retention, keyPrefix, instanceName: "instance-a" }) });
  b = await startTestServer({}, { db, hub: createRedisHub({ redis: redisB, retention, keyPrefix, instanceName: `instance-b-${keyPrefix}` }) });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await db?.close();
  const keys = await admin.keys(`${keyPrefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  for (const redis of [redisA, redisB, admin]) redis.disconnect();
});

/** Kills instance B's pub/sub connection to Redis, as a network cut would. */
async function cutLiveChannelOfB(): Promise<number> {
  const list = String(await admin.call("CLIENT", "LIST"));
  const ids = list
    .split("\n")
    .filter((line) => line.includes(`name=instance-b-${keyPrefix}:live`))
    .map((line) => /id=(\d+)/.exec(line)?.[1])
    .filter((id): id is string => id !== undefined);
  for (const id of ids) await admin.call("CLIENT", "KILL", "ID", id);
  return ids.length;
}

describe.each(transports)("over $name, across two instances on Redis", ({ name, options }) => {
  test("every event published on A reaches B's client in order, once each, across a cut of B's live channel", async () => {
    const session = await signIn(b.baseUrl);
    const topic = echoTopic(session.user.id);
    const head = await a.server.hub.head(topic);
    const client = testClient(b.baseUrl, session.token, name, options);
    const seen = record(client, topic, { epoch: head.epoch, offset: head.offset });
    await client.whenOpen();
    const TOTAL = 300;
    for (let n = 1; n <= TOTAL; n++) {
      await a.server.hub.publish(topic, "echo", { n });
      if (n % 10 === 0) await sleep(2);
      if (n === 150) expect(await cutLiveChannelOfB()).toBe(1);
    }
    await waitFor(() => seen.offsets.length >= TOTAL, `${TOTAL} events (got ${seen.offsets.length})`, 20_000);
    await sleep(100);
    expect(seen.offsets).toEqual(range(head.offset, TOTAL));
    expect(seen.resets).toEqual([]);
    client.close();
  });
});
