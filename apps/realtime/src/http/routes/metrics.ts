import { createHash, timingSafeEqual } from "node:crypto";
import { HTTP_PATHS, ProtocolError } from "@repo/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Hub } from "../../hub/hub";
import type { Metrics } from "../../observability/metrics";

/** Constant-time, whatever the lengths: both sides are hashed to 32 bytes first. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function bearerOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  return typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7) : "";
}

/**
 * `GET /metrics`: Prometheus text format, per-transport counters and gauges. With a token
 * configured (METRICS_TOKEN) it needs `Authorization: Bearer <token>` (F20); without one it
 * is open, for local use.
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics, hub: Hub, options: { token?: string } = {}) {
  app.get(HTTP_PATHS.metrics, async (request, reply) => {
    if (options.token !== undefined && !sameSecret(bearerOf(request), options.token)) {
      reply.header("www-authenticate", 'Bearer realm="metrics"');
      throw new ProtocolError("unauthorized", "The metrics need a bearer token");
    }
    metrics.hubListeners.set(hub.listenerCount());
    const stats = hub.stats();
    metrics.hubTopics.set(stats.topics);
    metrics.hubEvents.set(stats.events);
    metrics.hubRetainedBytes.set(stats.retainedBytes);
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).header("cache-control", "no-store").send(text);
  });
}
