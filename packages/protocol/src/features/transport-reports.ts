import { z } from "zod";
import { defineProtocolFeature } from "../feature-module";
import { API_PREFIX } from "../paths";
import { TransportName } from "../transports";

/*
 * Transport reports (docs/protocol.md, "Fallback chain"): an SDK client with a
 * fallback chain tells the service each time it falls back from a transport
 * that would not open, or upgrades back to the one it wanted, so operators see
 * blocked transports in `/metrics`. Signed-in session required; rate limited
 * per session. Transport names come only from the enum, which bounds the
 * Prometheus label values.
 */
export const transportReportsPaths = {
  /** POST a report: `204` when counted. */
  reports: `${API_PREFIX}/transport-reports`,
} as const;

export const TRANSPORT_REPORT_KINDS = ["fallback", "upgrade"] as const;

/**
 * Why a client fell back: its wanted transport failed to open N times while
 * the service answered plain HTTP (`open_failed`), opened nothing within the
 * open timeout (`open_timeout`, e.g. a buffered SSE stream), or was remembered
 * as blocked by this browser (`remembered`: started on the fallback directly).
 */
export const FALLBACK_REASONS = ["open_failed", "open_timeout", "remembered"] as const;
export const FallbackReason = z.enum(FALLBACK_REASONS);
export type FallbackReason = z.infer<typeof FallbackReason>;

export const TransportReport = z
  .object({
    kind: z.enum(TRANSPORT_REPORT_KINDS),
    from: TransportName,
    to: TransportName,
    reason: FallbackReason.optional(),
  })
  .strict()
  .refine((report) => report.from !== report.to, { message: "from and to must differ", path: ["to"] })
  .refine((report) => report.kind === "fallback" || report.reason === undefined, { message: "only a fallback has a reason", path: ["reason"] });
export type TransportReport = z.infer<typeof TransportReport>;

export const transportReportsProtocol = defineProtocolFeature({
  name: "transport-reports",
  topicKinds: [],
  commands: {},
});
