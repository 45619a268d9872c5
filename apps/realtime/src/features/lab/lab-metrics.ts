import { Counter, Gauge, type Registry } from "prom-client";

/** The lab's series in the service's registry (GET /metrics). */
export function createLabMetrics(registry: Registry, stats: () => { streams: number; timers: number }) {
  new Gauge({
    name: "switchboard_lab_streams",
    help: "Transport-lab streams running on this instance (back to zero when their pages leave)",
    registers: [registry],
    collect() {
      this.set(stats().streams);
    },
  });
  new Gauge({
    name: "switchboard_lab_timers",
    help: "Timers the lab feature has pending (send slots, away grace periods)",
    registers: [registry],
    collect() {
      this.set(stats().timers);
    },
  });
  const messages = new Counter({ name: "switchboard_lab_messages_total", help: "Transport-lab messages published", registers: [registry] });
  const stopped = new Counter({
    name: "switchboard_lab_streams_stopped_total",
    help: "Transport-lab streams ended, by reason",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  return {
    message: () => messages.inc(),
    stopped: (reason: string) => stopped.inc({ reason }),
  };
}

export type LabMetrics = ReturnType<typeof createLabMetrics>;
