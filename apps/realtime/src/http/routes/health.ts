import { HTTP_PATHS, PROTOCOL_VERSION, type HealthResponse, type ReadyResponse } from "@repo/protocol";
import type { Database } from "@repo/db";
import type { FastifyInstance } from "fastify";

/** How long one database ping answers `/readyz`, so the route cannot be used to hammer the database (F20). */
export const READY_PING_CACHE_MS = 1000;

/** `/healthz`: the process is up. `/readyz`: it can serve (database reachable, not draining). */
export function registerHealthRoutes(app: FastifyInstance, deps: { db: Database; isDraining: () => boolean }) {
  const started = Date.now();
  // The last ping (settled or still in flight) and when it started: concurrent probes share it.
  let lastPing: { at: number; ok: Promise<boolean> } | undefined;
  const databaseOk = () => {
    const now = Date.now();
    if (!lastPing || now - lastPing.at >= READY_PING_CACHE_MS) {
      lastPing = { at: now, ok: deps.db.ping().catch(() => false) };
    }
    return lastPing.ok;
  };

  app.get(HTTP_PATHS.health, async () => {
    const body: HealthResponse = { status: "ok", version: PROTOCOL_VERSION, uptime: (Date.now() - started) / 1000 };
    return body;
  });

  app.get(HTTP_PATHS.ready, async (_request, reply) => {
    const database = await databaseOk();
    const ready = database && !deps.isDraining();
    const body: ReadyResponse = { status: ready ? "ready" : "unavailable", database: database ? "ok" : "down" };
    return reply.status(ready ? 200 : 503).header("cache-control", "no-store").send(body);
  });
}
