import { randomUUID } from "node:crypto";
import { createDatabase, type Database } from "@repo/db";
import { HTTP_PATHS } from "@repo/protocol";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createRedisConnection } from "../../src/hub/redis/redis-connection";
import { createRedisHub } from "../../src/hub/redis/redis-hub";
import { startTestServer, waitFor, type TestServer } from "../sdk/support/server";
import { RELAXED_ADDRESS_LIMITS } from "../support/start-server";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

// Rate limits on Redis: two instances charge one bucket, so a client cannot multiply its
// allowance by spreading requests over them; with Redis cut, each instance still limits on its
// own bucket (the insurance limiter) and no request fails because of the limiter.
const REDIS_URL = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const keyPrefix = `sb-test-${randomUUID().slice(0, 8)}:`;
const retention = { count: 1000, ageMs: 60_000 };
const SIGN_INS_PER_MINUTE = 4;
let proxy: TcpProxy;
let db: Database;
let a: TestServer;
let b: TestServer;
const connections: Redis[] = [];

function connection(port: number, name: string): Redis {
  const redis = createRedisConnection(`redis://127.0.0.1:${port}`, name);
  redis.on("error", () => {});
  connections.push(redis);
  return redis;
}

beforeAll(async () => {
  proxy = await startTcpProxy(Number(REDIS_URL.port || 6379), REDIS_URL.hostname);
  const redisA = connection(Number(REDIS_URL.port || 6379), "limits-a");
  const redisB = connection(proxy.port, "limits-b");
  await waitFor(() => redisA.status === "ready" && redisB.status === "ready", "Redis");
  db = await createDatabase({ pgliteDir: "memory" });
  const addressLimits = { ...RELAXED_ADDRESS_LIMITS, session: [{ points: SIGN_INS_PER_MINUTE, windowSeconds: 60 }] };
  const hubOf = (redis: Redis) => createRedisHub({ redis, retention, keyPrefix });
  a = await startTestServer({ addressLimits }, { db, redis: redisA, hub: hubOf(redisA) });
  b = await startTestServer({ addressLimits }, { db, redis: redisB, hub: hubOf(redisB) });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await db?.close();
  const admin = connections[0];
  if (admin) {
    const keys = [...(await admin.keys(`${keyPrefix}*`)), ...(await admin.keys("sb:rl:*"))];
    if (keys.length > 0) await admin.del(...keys);
  }
  for (const redis of connections) redis.disconnect();
  await proxy?.close();
});

async function signInStatus(server: TestServer): Promise<number> {
  const response = await fetch(`${server.baseUrl}${HTTP_PATHS.session}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Ada" }),
  });
  await response.arrayBuffer();
  return response.status;
}

test("two instances charge one bucket; with Redis cut, each still limits on its own", async () => {
  const admin = connections[0]!;
  const stale = await admin.keys("sb:rl:*");
  if (stale.length > 0) await admin.del(...stale);
  // Spread over both instances, the address gets its allowance once, not twice.
  const statuses: number[] = [];
  for (let i = 0; i < SIGN_INS_PER_MINUTE + 2; i++) statuses.push(await signInStatus(i % 2 === 0 ? a : b));
  expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);

  // B loses Redis: its insurance bucket (empty so far) limits it alone, and nothing errors.
  proxy.cut();
  await waitFor(() => connections[1]!.status !== "ready", "B's Redis connection to drop");
  const cut: number[] = [];
  for (let i = 0; i < SIGN_INS_PER_MINUTE + 1; i++) cut.push(await signInStatus(b));
  expect(cut).toEqual([201, 201, 201, 201, 429]);
  proxy.restore();
});
