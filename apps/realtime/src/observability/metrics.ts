import { TRANSPORT_NAMES, type TransportName } from "@repo/protocol";
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Per-transport counters, exposed at GET /metrics in Prometheus text format.
 * Each server gets its own registry, so several servers in one process (tests,
 * the benchmark) never share or clash.
 */
export function createMetrics() {
  const registry = new Registry();
  // Event-loop delay sampled every 100 ms, not prom-client's 10 ms: the finer sampling alone
  // cost ~5 ms of CPU per second on an idle server (measured by pnpm bench).
  collectDefaultMetrics({ register: registry, prefix: "switchboard_process_", eventLoopMonitoringPrecision: 100 });
  const labelNames = ["transport"] as const;

  // Per-delivery counts are tallied in plain numbers and handed to prom-client when
  // /metrics is scraped: a labelled inc() per delivered message costs more than the delivery.
  type Tally = Record<TransportName, number>;
  const zero = (): Tally => ({ polling: 0, "long-polling": 0, sse: 0, websocket: 0 });
  const pending = { delivered: zero(), bytes: zero() };
  function flushInto(counter: Counter<"transport">, tally: Tally) {
    for (const transport of TRANSPORT_NAMES) {
      if (tally[transport] > 0) counter.inc({ transport }, tally[transport]);
      tally[transport] = 0;
    }
  }

  const metrics = {
    registry,
    open: new Gauge({ name: "switchboard_open", help: "Open connections (SSE, WebSocket) or in-flight requests (polls)", labelNames, registers: [registry] }),
    requests: new Counter({ name: "switchboard_requests_total", help: "Subscription requests or connections accepted", labelNames, registers: [registry] }),
    delivered: new Counter({
      name: "switchboard_events_delivered_total",
      help: "Events written to clients",
      labelNames,
      registers: [registry],
      collect() {
        flushInto(this, pending.delivered);
      },
    }),
    bytes: new Counter({
      name: "switchboard_bytes_written_total",
      help: "Payload bytes written to clients (bodies, SSE frames, socket.io packets)",
      labelNames,
      registers: [registry],
      collect() {
        flushInto(this, pending.bytes);
      },
    }),
    /** Hot-path counting: events delivered and bytes written, by transport. */
    count(kind: "delivered" | "bytes", transport: TransportName, amount = 1) {
      pending[kind][transport] += amount;
    },
    empty: new Counter({ name: "switchboard_empty_responses_total", help: "Poll responses with no events (304s included)", labelNames, registers: [registry] }),
    resets: new Counter({ name: "switchboard_resets_total", help: "Reset signals sent (cursor beyond retention or unknown epoch)", labelNames, registers: [registry] }),
    slowConsumersCut: new Counter({ name: "switchboard_slow_consumers_cut_total", help: "Connections cut because their send buffer passed the limit", labelNames, registers: [registry] }),
    commands: new Counter({ name: "switchboard_commands_total", help: "Commands handled, by outcome", labelNames: ["transport", "outcome"] as const, registers: [registry] }),
    hubListeners: new Gauge({ name: "switchboard_hub_listeners", help: "Live hub listeners (should return to zero when clients leave)", registers: [registry] }),
    hubTopics: new Gauge({ name: "switchboard_hub_topics", help: "Topics the hub holds state for (idle ones are evicted)", registers: [registry] }),
    hubEvents: new Gauge({ name: "switchboard_hub_events", help: "Events retained by the hub over all topics", registers: [registry] }),
    hubRetainedBytes: new Gauge({
      name: "switchboard_hub_retained_bytes",
      help: "Bytes the hub's retained events count as (twice their JSON: envelope and cached encoding)",
      registers: [registry],
    }),
    timers: new Gauge({ name: "switchboard_pending_timers", help: "Long-poll and heartbeat timers pending", registers: [registry] }),
  };
  for (const transport of TRANSPORT_NAMES) metrics.open.set({ transport }, 0);
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
export type { TransportName };
