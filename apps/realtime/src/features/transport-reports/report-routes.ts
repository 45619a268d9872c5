import { ProtocolError, TransportReport, parseOrThrow, transportReportsPaths } from "@repo/protocol";
import type { FastifyInstance } from "fastify";
import type { Auth } from "../../auth/auth";
import { requireUser } from "../../http/request-auth";
import { memoryRateLimiters, type RateWindow } from "../../limits/rate-limiter";
import type { TransportReportMetrics } from "./report-metrics";

/** A report is a few dozen bytes; anything larger is not one. */
const MAX_REPORT_BYTES = 1024;

/**
 *   POST /v1/transport-reports   { kind, from, to, reason? } → 204 (counted)
 * Signed-in session required; rate limited per session. Nothing is stored:
 * the report only moves a counter.
 */
export function registerTransportReportRoutes(
  app: FastifyInstance,
  deps: { auth: Auth; counters: TransportReportMetrics; perSession: RateWindow },
) {
  const limiter = memoryRateLimiters("transport-reports", deps.perSession);

  app.post(transportReportsPaths.reports, { bodyLimit: MAX_REPORT_BYTES }, async (request, reply) => {
    const user = await requireUser(deps.auth, request);
    const retryAfter = await limiter.take(user.sessionId);
    if (retryAfter !== null) throw new ProtocolError("rate_limited", "Too many transport reports; slow down", { retryAfter });
    const report = parseOrThrow(TransportReport, request.body, "transport report");
    deps.counters.count(report);
    return reply.code(204).header("cache-control", "no-store").send();
  });
}
