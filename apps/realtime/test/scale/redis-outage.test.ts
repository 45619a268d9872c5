import { randomUUID } from "node:crypto";
import { createDatabase, type Database } from "@repo/db";
import { HTTP_PATHS, ReadyResponse, echoTopic } from "@repo/protocol";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createRedisConnection } from "../../src/hub/redis/redis-connection";
import { createRedisHub } from "../../src/hub/redis/redis-hub";
import { range, record, signIn, sleep, startTestServer, testClient, transports, waitFor, type TestServer } from "../sdk/support/server";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

// One instance whose connections to Redis go through a TCP proxy the test cuts: while Redis is
// unreachable the service stays up, /readyz fails naming Redis, commands get a typed
// `unavailable`; events published meanwhile (by another instance, still connected) reach the
// clients once Redis is back — nothing silently skipped — without restarting anything.
const REDIS_URL = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const keyPrefix = `sb-test-${randomUUID().slice(0, 8)}:`;
const retention = { count: 10_000, ageMs: 10 * 60_000 };
const CUT_MS = Number(process.env.REDIS_CUT_MS ?? 3000);
let proxy: TcpProxy;
let db: Database;
let service: TestServer;
let redis: Redis;
let direct: Redis;

beforeAll(async () => {
  proxy = await startTcpProxy(Number(REDIS_URL.port || 6379), REDIS_URL.hostname);
  redis = createRedisConnection(`redis://127.0.0.1:${proxy.port}`, "outage-instance");
  redis.on("error", () => {});
  direct = createRedisConnection(REDIS_URL.toString(), "outage-publisher");
  await waitFor(() => redis.status === "ready" && direct.status === "ready", "Redis");
  db = await createDatabase({ pgliteDir: "memory" });
  service = await startTestServer({}, { db, redis, hub: createRedisHub({ redis, retention, keyPrefix }) });
});
afterAll(async () => {
  await service?.stop();
  await db?.close();
  const keys = await direct.keys(`${keyPrefix}*`);
  if (keys.length > 0) await direct.del(...keys);
  redis?.disconnect();
  direct?.disconnect();
  await proxy?.close();
});

async function ready(): Promise<{ status: number; body: ReadyResponse }> {
  const response = await fetch(`${service.baseUrl}${HTTP_PATHS.ready}`);
  return { status: response.status, body: ReadyResponse.parse(await response.json()) };
}

describe.each(transports)("Redis unreachable under a client on $name", ({ name, options }) => {
  test(`a ${CUT_MS / 1000} s cut: the service stays up, /readyz and commands say unavailable, then delivery resumes with nothing skipped`, async () => {
    const publisher = createRedisHub({ redis: direct, retention, keyPrefix });
    const session = await signIn(service.baseUrl);
    const topic = echoTopic(session.user.id);
    const head = await publisher.head(topic);
    const client = testClient(service.baseUrl, session.token, name, { ...options, reconnect: { baseMs: 100, maxMs: 500 } });
    const seen = record(client, topic, { epoch: head.epoch, offset: head.offset });
    await client.whenOpen();
    expect(await ready()).toEqual({ status: 200, body: { status: "ready", database: "ok", redis: "ok" } });
    for (let n = 1; n <= 20; n++) await publisher.publish(topic, "echo", { n });
    await waitFor(() => seen.offsets.length === 20, "the events before the cut");

    proxy.cut();
    await sleep(1100); // past the readiness cache
    expect(await ready()).toEqual({ status: 503, body: { status: "unavailable", database: "ok", redis: "down" } });
    const refused = await fetch(`${service.baseUrl}${HTTP_PATHS.commands}`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.token}`, "content-type": "application/json" },
      body: JSON.stringify({ id: randomUUID(), type: "echo", payload: { text: "during the cut" } }),
    });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ ok: false, error: { code: "unavailable" } });
    for (let n = 21; n <= 40; n++) await publisher.publish(topic, "echo", { n });
    await sleep(Math.max(0, CUT_MS - 1100));

    proxy.restore();
    for (let n = 41; n <= 60; n++) await publisher.publish(topic, "echo", { n });
    await waitFor(() => seen.offsets.length >= 60, `60 events (got ${seen.offsets.length})`, 20_000);
    await sleep(100);
    expect(seen.offsets).toEqual(range(head.offset, 60));
    expect(seen.resets).toEqual([]);
    await waitFor(async () => (await ready()).status === 200, "/readyz to recover");
    client.close();
    await publisher.close();
  });
});
