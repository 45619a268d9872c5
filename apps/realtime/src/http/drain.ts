import { HTTP_PATHS } from "@repo/protocol";
import type { ErrorResponse } from "@repo/protocol";
import type { FastifyInstance } from "fastify";

/** How often idle keep-alive sockets are closed while draining (responses that end mid-drain). */
const IDLE_SWEEP_MS = 50;
/** Still answered while draining: health says "up", readiness says 503 "unavailable" itself. */
const PROBES = new Set<string>([HTTP_PATHS.health, HTTP_PATHS.ready]);

/**
 * Graceful drain (F15). Once begun: new requests get a typed 503 and `connection: close`,
 * responses still in flight are sent with `connection: close`, the listener stops accepting
 * connections, and `close()` waits up to `graceMs` for in-flight requests before it cuts
 * every connection left.
 */
export function createDrain(app: FastifyInstance, graceMs: number) {
  let draining = false;

  app.addHook("onRequest", async (request, reply) => {
    if (!draining || PROBES.has(request.routeOptions.url ?? "")) return;
    // No 503 code in the protocol's error set yet: `internal` with a clear message and Retry-After.
    const body: ErrorResponse = { error: { code: "unavailable", message: "The server is shutting down; retry shortly" } };
    return reply.status(503).header("connection", "close").header("retry-after", "1").send(body);
  });
  app.addHook("onSend", async (_request, reply) => {
    if (draining) reply.header("connection", "close");
  });

  return {
    isDraining: () => draining,
    /** Refuse new work from now on. */
    begin() {
      draining = true;
    },
    /** Closes Fastify, giving in-flight requests up to the grace period. */
    async close() {
      draining = true;
      const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
      const force = setTimeout(() => {
        app.log.warn({ graceMs }, "drain grace period over: closing the connections left");
        app.server.closeAllConnections();
      }, graceMs);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
        clearTimeout(force);
      }
    },
  };
}

export type Drain = ReturnType<typeof createDrain>;
