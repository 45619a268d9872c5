import { POLL_INTERVAL_HEADER, TRANSPORT_HEADER, VERSION_HEADER, type ErrorResponse } from "@repo/protocol";
import cors from "@fastify/cors";
import type { FastifyInstance } from "fastify";

/**
 * Exact-match origin allowlist. A request that carries an Origin header not on
 * the list is refused before any route runs (browsers always send Origin on
 * cross-origin fetches, EventSource and the WebSocket handshake, so this also
 * stops cross-site WebSocket hijacking). Requests without Origin come from
 * non-browser clients and pass to authentication as usual.
 */
export function createOriginPolicy(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  return {
    isAllowed(origin: string | undefined): boolean {
      return origin === undefined || allowed.has(origin);
    },
    allowed,
  };
}

export type OriginPolicy = ReturnType<typeof createOriginPolicy>;

export async function registerOriginPolicy(app: FastifyInstance, policy: OriginPolicy) {
  app.addHook("onRequest", async (request, reply) => {
    const origin = request.headers.origin;
    if (!policy.isAllowed(origin)) {
      request.log.warn({ origin }, "refused foreign origin");
      const body: ErrorResponse = { error: { code: "forbidden", message: "Origin not allowed" } };
      return reply.status(403).send(body);
    }
  });
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && policy.allowed.has(origin)),
    credentials: true,
    // PUT and If-Match: the flag administration page saves with them (the operator's edit names its version).
    methods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
    allowedHeaders: ["content-type", "authorization", "if-none-match", "if-match", "last-event-id", TRANSPORT_HEADER, VERSION_HEADER],
    exposedHeaders: ["etag", "retry-after", POLL_INTERVAL_HEADER],
    maxAge: 600,
  });
}
