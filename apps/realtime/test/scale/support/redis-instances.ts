import { randomUUID } from "node:crypto";
import { createDatabase, type Database } from "@repo/db";
import { CommandResult, HTTP_PATHS } from "@repo/protocol";
import type { Redis } from "ioredis";
import { createRedisConnection } from "../../../src/hub/redis/redis-connection";
import { createRedisHub } from "../../../src/hub/redis/redis-hub";
import { startTestServer, waitFor, type TestServer } from "../../sdk/support/server";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const RETENTION = { count: 10_000, ageMs: 10 * 60_000 };

type ServerConfig = Parameters<typeof startTestServer>[0];
type Reuse = NonNullable<Parameters<typeof startTestServer>[1]>;

/** Several service instances on one Redis (each test file its own key prefix) and one database. */
export interface RedisInstances {
  db: Database;
  keyPrefix: string;
  /** Each started instance's own Redis command connection, by name (to cut one, as a crash would). */
  connections: Map<string, Redis>;
  /** Starts one more instance: its own Redis connection (named, for CLIENT LIST), hub and bus. */
  start(name: string, config?: ServerConfig, reuse?: Pick<Reuse, "features">): Promise<TestServer>;
  stop(): Promise<void>;
}

export async function redisInstances(): Promise<RedisInstances> {
  const db = await createDatabase({ pgliteDir: "memory" });
  const keyPrefix = `sb-test-${randomUUID().slice(0, 8)}:`;
  const servers: TestServer[] = [];
  const connections: Redis[] = [];
  const byName = new Map<string, Redis>();
  return {
    db,
    keyPrefix,
    connections: byName,
    async start(name, config = {}, reuse = {}) {
      const redis = createRedisConnection(REDIS_URL, name);
      connections.push(redis);
      byName.set(name, redis);
      await waitFor(() => redis.status === "ready", "Redis");
      // The bus, rate limits, tickets and command claims under this file's prefix too.
      const server = await startTestServer({ redisKeyPrefix: keyPrefix, ...config }, { ...reuse, db, redis, hub: createRedisHub({ redis, retention: RETENTION, keyPrefix, instanceName: name }) });
      servers.push(server);
      return server;
    },
    async stop() {
      for (const server of servers.reverse()) await server.stop().catch(() => {});
      await db.close();
      const admin = connections.find((redis) => redis.status === "ready");
      const keys = admin ? await admin.keys(`${keyPrefix}*`) : [];
      if (admin && keys.length > 0) await admin.del(...keys);
      for (const redis of connections) redis.disconnect();
    },
  };
}

/** Sends one command over HTTP to `server`; throws unless it succeeded. */
export async function command(server: Pick<TestServer, "baseUrl">, token: string, type: string, payload: unknown): Promise<unknown> {
  const response = await fetch(`${server.baseUrl}${HTTP_PATHS.commands}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ id: randomUUID(), type, payload }),
  });
  const result = CommandResult.parse(await response.json());
  if (!result.ok) throw new Error(`${type}: ${result.error.code} ${result.error.message}`);
  return result.result;
}

/** The ids of Redis clients whose name is `name` (to kill one instance's connection). */
export async function clientIds(admin: Redis, name: string): Promise<string[]> {
  const list = String(await admin.call("CLIENT", "LIST"));
  return list
    .split("\n")
    .filter((line) => line.includes(`name=${name} `))
    .map((line) => /id=(\d+)/.exec(line)?.[1])
    .filter((id): id is string => id !== undefined);
}
