import { TRANSPORT_NAMES, type TransportReport } from "@repo/protocol";
import { Counter, type Registry } from "prom-client";

/** The two counters, labelled by transport pair (names from the enum only: at most 12 series each). */
export function createTransportReportMetrics(registry: Registry) {
  const labelNames = ["from", "to"] as const;
  const fallbacks = new Counter({
    name: "switchboard_transport_fallbacks_total",
    help: "Clients that fell back from one transport to the next (reported by the SDK; remembered starts included)",
    labelNames,
    registers: [registry],
  });
  const upgrades = new Counter({
    name: "switchboard_transport_upgrades_total",
    help: "Clients that went back up to their wanted transport after a fallback (reported by the SDK)",
    labelNames,
    registers: [registry],
  });
  // Every pair at zero from the start, so a rate() over a fresh series works.
  for (const from of TRANSPORT_NAMES)
    for (const to of TRANSPORT_NAMES)
      if (from !== to) {
        fallbacks.inc({ from, to }, 0);
        upgrades.inc({ from, to }, 0);
      }
  return {
    count(report: TransportReport) {
      (report.kind === "fallback" ? fallbacks : upgrades).inc({ from: report.from, to: report.to });
    },
  };
}

export type TransportReportMetrics = ReturnType<typeof createTransportReportMetrics>;
