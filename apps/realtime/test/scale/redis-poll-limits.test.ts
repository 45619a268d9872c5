import { randomUUID } from "node:crypto";
import { createDatabase, type Database } from "@repo/db";
import { HTTP_PATHS } from "@repo/protocol";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createRedisConnection } from "../../src/hub/redis/redis-connection";
import { createRedisHub } from "../../src/hub/redis/redis-hub";
import { startTestServer, type TestServer } from "../sdk/support/server";
import { RELAXED_ADDRESS_LIMITS } from "../support/start-server";

// The poll limit on two instances: each grants the first tenth of an address's allowance on its
// own (a poller asking once a second costs Redis nothing), and past it every poll is charged to
// the shared bucket, the ones granted locally included, so the address gets its allowance once
// over both instances, not twice. On the machine's real Redis; the limiter charges before
// authentication, so the polls here are anonymous (401) until refused (429).
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const keyPrefix = `sb-test-${randomUUID().slice(0, 8)}:`;
const POLLS = 20;
const LOCAL = 2; // a tenth of POLLS
let db: Database;
let a: TestServer;
let b: TestServer;
const connections: Redis[] = [];

beforeAll(async () => {
  db = await createDatabase({ pgliteDir: "memory" });
  const addressLimits = { ...RELAXED_ADDRESS_LIMITS, poll: [{ points: POLLS, windowSeconds: 60 }] };
  const start = async (name: string) => {
    const redis = createRedisConnection(REDIS_URL, name);
    connections.push(redis);
    const hub = createRedisHub({ redis, retention: { count: 100, ageMs: 60_000 }, keyPrefix });
    return startTestServer({ addressLimits, redisKeyPrefix: keyPrefix }, { db, redis, hub });
  };
  a = await start("poll-limits-a");
  b = await start("poll-limits-b");
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await db?.close();
  const admin = connections[0];
  if (admin) {
    const keys = await admin.keys(`${keyPrefix}*`);
    if (keys.length > 0) await admin.del(...keys);
  }
  for (const redis of connections) redis.disconnect();
});

async function pollStatus(server: TestServer): Promise<number> {
  const response = await fetch(`${server.baseUrl}${HTTP_PATHS.poll}?cursor=x`);
  await response.arrayBuffer();
  return response.status;
}

const sharedBuckets = () => connections[0]!.keys(`${keyPrefix}rl:address:poll*`);

test("the first tenth per instance stays local; past it, both instances charge one bucket and the address gets its allowance once", async () => {
  for (let i = 0; i < LOCAL; i++) {
    expect(await pollStatus(a)).toBe(401);
    expect(await pollStatus(b)).toBe(401);
  }
  expect(await sharedBuckets()).toEqual([]);

  const statuses: number[] = [];
  for (let i = 0; i < POLLS; i++) statuses.push(await pollStatus(i % 2 === 0 ? a : b));
  const granted = 2 * LOCAL + statuses.filter((status) => status === 401).length;
  expect(granted).toBe(POLLS);
  expect(statuses.slice(-4)).toEqual([429, 429, 429, 429]);
  expect(await sharedBuckets()).toHaveLength(1);
});
