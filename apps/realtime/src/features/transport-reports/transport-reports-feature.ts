import type { RateWindow } from "../../limits/rate-limiter";
import { defineFeature } from "../feature";
import { registerTransportReportRoutes } from "./report-routes";
import { createTransportReportMetrics } from "./report-metrics";

export interface TransportReportsConfig {
  /** Reports one session may make; a client reports a move at most every few seconds, so this is generous. */
  perSession: RateWindow;
}

export const TRANSPORT_REPORTS_DEFAULTS: TransportReportsConfig = {
  perSession: { points: 30, windowSeconds: 60 },
};

/**
 * What SDK clients tell the service about their fallback chain: each move
 * down it (a transport that would not open through the network in between)
 * and each upgrade back, counted in `/metrics` by transport pair
 * (`switchboard_transport_fallbacks_total`, `switchboard_transport_upgrades_total`).
 */
export function transportReportsFeature(config: Partial<TransportReportsConfig> = {}) {
  return defineFeature({
    name: "transport-reports",
    config: { ...TRANSPORT_REPORTS_DEFAULTS, ...config },
    create({ auth, metrics, config: settings }) {
      const counters = createTransportReportMetrics(metrics);
      return {
        routes: (app) => registerTransportReportRoutes(app, { auth, counters, perSession: settings.perSession }),
      };
    },
  });
}
