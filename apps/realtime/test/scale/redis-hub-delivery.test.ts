import { randomUUID } from "node:crypto";
import { echoTopic } from "@repo/protocol";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { range, record, signIn, sleep, testClient, transports, waitFor, type TestServer } from "../sdk/support/server";
import { REDIS_URL, clientIds, redisInstances, type RedisInstances } from "./support/redis-instances";

// Two service instances on one Redis hub (and one database): a client of instance B hears
// what instance A publishes, in order and once each, on every transport — also when B's live
// channel to Redis is cut mid-stream (the hub tells B's subscribers to re-read; no silent gap).
const B_NAME = `delivery-b-${randomUUID().slice(0, 8)}`;
let cluster: RedisInstances;
let a: TestServer;
let b: TestServer;
const admin = new Redis(REDIS_URL);

beforeAll(async () => {
  cluster = await redisInstances();
  a = await cluster.start("delivery-a");
  b = await cluster.start(B_NAME);
});
afterAll(async () => {
  await cluster?.stop();
  admin.disconnect();
});

/** Kills instance B's pub/sub connection to Redis, as a network cut would. */
async function cutLiveChannelOfB(): Promise<number> {
  const ids = await clientIds(admin, `${B_NAME}:live`);
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
