import { HTTP_PATHS, PROTOCOL_VERSION, type HealthResponse, type ReadyResponse } from "@repo/protocol";
import type { Database } from "@repo/db";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";

/** How long one database ping answers `/readyz`, so the route cannot be used to hammer the database (F20). */
export const READY_PING_CACHE_MS = 1000;

/** One ping at a time, its answer shared for READY_PING_CACHE_MS: concurrent probes share it. */
function cachedPing(ping: () => Promise<boolean>): () => Promise<boolean> {
  let last: { at: number; ok: Promise<boolean> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= READY_PING_CACHE_MS) last = { at: now, ok: ping().catch(() => false) };
    return last.ok;
  };
}

/**
 * `/healthz`: the process is up. `/readyz`: it can serve — database reachable, Redis
 * reachable when the service runs on it, not draining — each reported on its own.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: { db: Database; redis?: Redis; isDraining: () => boolean }) {
  const started = Date.now();
  const databaseOk = cachedPing(() => deps.db.ping());
  const { redis } = deps;
  const redisOk = redis ? cachedPing(async () => redis.status === "ready" && (await redis.ping()) === "PONG") : undefined;

  app.get(HTTP_PATHS.health, async () => {
    const body: HealthResponse = { status: "ok", version: PROTOCOL_VERSION, uptime: (Date.now() - started) / 1000 };
    return body;
  });

  app.get(HTTP_PATHS.ready, async (_request, reply) => {
    const [database, redisUp] = await Promise.all([databaseOk(), redisOk?.()]);
    const ready = database && redisUp !== false && !deps.isDraining();
    const body: ReadyResponse = {
      status: ready ? "ready" : "unavailable",
      database: database ? "ok" : "down",
      ...(redisUp === undefined ? {} : { redis: redisUp ? "ok" : "down" }),
    };
    return reply.status(ready ? 200 : 503).header("cache-control", "no-store").send(body);
  });
}
