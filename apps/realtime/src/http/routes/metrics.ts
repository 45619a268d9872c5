import type { FastifyInstance } from "fastify";
import type { Hub } from "../../hub/hub";
import type { Metrics } from "../../observability/metrics";

/** `GET /metrics`: Prometheus text format, per-transport counters and gauges. */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics, hub: Hub) {
  app.get("/metrics", async (_request, reply) => {
    metrics.hubListeners.set(hub.listenerCount());
    const stats = hub.stats();
    metrics.hubTopics.set(stats.topics);
    metrics.hubEvents.set(stats.events);
    metrics.hubRetainedBytes.set(stats.retainedBytes);
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).header("cache-control", "no-store").send(text);
  });
}
