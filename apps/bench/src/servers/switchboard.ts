import type { Server } from "node:http";
import { createDatabase } from "@repo/db";
import { TICKER_TOPIC } from "@repo/protocol";
import { connectRedis, createServer, type RealtimeServer } from "@repo/realtime";
import { defineFeature, echoFeature, tickerFeature } from "@repo/realtime/features";
import { BENCH_EVENT_TYPE, BENCH_TOPIC, type BenchPayload } from "../message";
import { configFor, type ServerProfile } from "./switchboard-config";
import type { BenchServer } from "./types";

/** The one topic the bench needs: `system:bench`, readable by anyone signed in. */
const benchFeature = defineFeature({
  name: "bench",
  create: () => ({ topics: { system: (_user, id) => `system:${id}` === BENCH_TOPIC } }),
});

/**
 * What an attacker reaches on a real deployment, for the flood rows: the
 * service's own ticker (`system:ticker`, one tick a second, readable by anyone
 * signed in) and echo (`echo:<userId>`) features. The bench topic shares the
 * `system` kind with the ticker, so one feature reads both here.
 */
const floodFeatures = () => {
  const ticker = tickerFeature();
  const tickerAndBench = defineFeature({
    name: "ticker",
    config: ticker.config,
    create(context) {
      const parts = ticker.create(context);
      return { ...parts, topics: { system: (_user, id) => `system:${id}` === BENCH_TOPIC || `system:${id}` === TICKER_TOPIC } };
    },
  });
  return [tickerAndBench, echoFeature()];
};

/** Where a Redis row's instance keeps its state: one Redis (its own key prefix) and one PostgreSQL, shared by the row's instances. */
export interface RedisDeployment {
  redisUrl: string;
  keyPrefix: string;
  databaseUrl: string;
  /** The instance's name on its Redis connections (CLIENT LIST). */
  name: string;
}

export interface SwitchboardBench extends BenchServer {
  /** Appends `count` events of about `payloadBytes` each to a topic (the flood rows' far-behind backlog). */
  fill(topic: string, type: string, count: number, payloadBytes: number): Promise<{ head: number }>;
  /** Rows in the users and sessions tables (sessions a sign-in flood actually created). */
  counts(): Promise<{ users: number; sessions: number }>;
  /**
   * Redis rows: the Redis server's command calls so far by command, all clients together
   * (INFO commandstats; commands a Lua script runs count too); null in process.
   */
  redisCalls(): Promise<Record<string, number> | null>;
  /** The service's hub (the storm's publisher and its log head). */
  hub: RealtimeServer["hub"];
}

/** `calls=` of every command in INFO commandstats. */
function callsByCommand(info: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]!] = Number(match[2]);
  return calls;
}

/**
 * The real Switchboard service (createServer from apps/realtime) on an
 * in-memory PGlite database, with everything on: auth, origin policy, metrics,
 * slow-consumer sweeps (per-address rate limits raised out of reach). Only the feature list is the bench's own, and request
 * logging is at `logLevel` (warn by default: info writes two lines per poll).
 * `profile` picks the config: generous limits for the normal rows, the
 * service's defaults for the flood rows (see switchboard-config.ts).
 */
export async function startSwitchboard(options: { logLevel: string; profile: ServerProfile; redis?: RedisDeployment; port?: number; beforeListen?: (httpServer: Server) => void }): Promise<SwitchboardBench> {
  const { redis: deployment } = options;
  const db = await createDatabase(deployment ? { databaseUrl: deployment.databaseUrl } : { pgliteDir: "memory" });
  const redis = deployment ? await connectRedis(deployment.redisUrl, deployment.name) : undefined;
  const server = await createServer({
    db,
    redis,
    config: { ...configFor(options.profile), ...(deployment ? { redisKeyPrefix: deployment.keyPrefix } : {}) },
    logger: { level: options.logLevel },
    features: options.profile === "flood" ? floodFeatures() : [benchFeature],
  });
  // Before listen: the storm counts every connection and request from the first one on.
  options.beforeListen?.(server.app.server);
  const url = await server.listen({ port: options.port ?? 0, host: "127.0.0.1" });
  return {
    url,
    hub: server.hub,
    publish(_seq: number, payload: BenchPayload) {
      void server.hub.publish(BENCH_TOPIC, BENCH_EVENT_TYPE, payload);
    },
    async fill(topic, type, count, payloadBytes) {
      const text = "f".repeat(payloadBytes);
      for (let n = 1; n <= count; n++) await server.hub.publish(topic, type, { n, text });
      return { head: (await server.hub.head(topic)).offset };
    },
    async counts() {
      const [users, sessions] = await Promise.all([db.prisma.user.count(), db.prisma.session.count()]);
      return { users, sessions };
    },
    async redisCalls() {
      return redis ? callsByCommand(await redis.info("commandstats")) : null;
    },
    connections: () =>
      new Promise((resolve, reject) => server.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count)))),
    async close() {
      await server.close();
      await db.close();
      if (redis && deployment) {
        // The row's keys (hub logs, presence, limits): whichever instance closes last finds none left.
        const keys = await redis.keys(`${deployment.keyPrefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      }
      redis?.disconnect();
    },
  };
}
