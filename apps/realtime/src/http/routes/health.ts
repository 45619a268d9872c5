import { PROTOCOL_VERSION, type HealthResponse, type ReadyResponse } from "@repo/protocol";
import type { Database } from "@repo/db";
import type { FastifyInstance } from "fastify";

/** `/healthz`: the process is up. `/readyz`: it can serve (database reachable, not draining). */
export function registerHealthRoutes(app: FastifyInstance, deps: { db: Database; isDraining: () => boolean }) {
  const started = Date.now();

  app.get("/healthz", async () => {
    const body: HealthResponse = { status: "ok", version: PROTOCOL_VERSION, uptime: (Date.now() - started) / 1000 };
    return body;
  });

  app.get("/readyz", async (_request, reply) => {
    const databaseOk = await deps.db.ping().catch(() => false);
    const ready = databaseOk && !deps.isDraining();
    const body: ReadyResponse = { status: ready ? "ready" : "unavailable", database: databaseOk ? "ok" : "down" };
    return reply.status(ready ? 200 : 503).header("cache-control", "no-store").send(body);
  });
}
