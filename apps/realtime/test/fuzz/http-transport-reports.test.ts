import { fc } from "@fast-check/vitest";
import { TRANSPORT_NAMES, TransportReport, transportReportsPaths } from "@repo/protocol";
import { describe, expect } from "vitest";
import { defaultFeatures, transportReportsFeature } from "../../src/features";
import { describeValue, fuzzEdge, printSummaryAfterAll } from "./support/fuzz-config";
import { useFuzzServer } from "./support/fuzz-server";
import { expectTypedRejection, request } from "./support/http-answers";
import { junkJsonText, nastyString, notJsonText } from "./support/json-arbitraries";

/*
 * POST /v1/transport-reports with hostile bodies, with and without a session.
 * A well-formed report from a signed-in session is a 204 and moves exactly
 * its counter by one; everything else is a typed rejection and moves none.
 * Nothing is ever written to the database. (The per-session rate is opened
 * up here so valid cases reach the counter; its own test is in test/fallback.)
 */
const target = useFuzzServer({
  features: [...defaultFeatures().filter((feature) => feature.name !== "transport-reports"), transportReportsFeature({ perSession: { points: 1_000_000, windowSeconds: 1 } })],
});
printSummaryAfterAll("http-transport-reports");

const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...TRANSPORT_NAMES) }, { weight: 1, arbitrary: nastyString }, { weight: 1, arbitrary: fc.constantFrom("webtransport", "SSE", "", "websocket ") });
const report = fc.record(
  {
    kind: fc.oneof({ weight: 4, arbitrary: fc.constantFrom("fallback", "upgrade") }, { weight: 1, arbitrary: nastyString }),
    from: name,
    to: name,
    reason: fc.oneof(fc.constantFrom("open_failed", "open_timeout", "remembered"), nastyString, fc.integer()),
    extra: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
/** Well-formed reports, so the accepting path is fuzzed too (and its counter checked). */
const validReport = fc
  .record({ kind: fc.constantFrom("fallback", "upgrade"), pair: fc.uniqueArray(fc.constantFrom(...TRANSPORT_NAMES), { minLength: 2, maxLength: 2 }), reason: fc.option(fc.constantFrom("open_failed", "open_timeout", "remembered"), { nil: undefined }) })
  .map(({ kind, pair, reason }) => ({ kind, from: pair[0], to: pair[1], ...(kind === "fallback" && reason ? { reason } : {}) }));
const body = fc.oneof(
  { weight: 3, arbitrary: validReport.map((value) => JSON.stringify(value)) },
  { weight: 5, arbitrary: report.map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: junkJsonText },
  { weight: 1, arbitrary: notJsonText },
  { weight: 1, arbitrary: fc.string({ minLength: 1100, maxLength: 3000 }).map((text) => JSON.stringify({ kind: "fallback", from: "websocket", to: "sse", pad: text })) },
);

/** Sum of both counters over every pair, from /metrics. */
async function reportedTotal(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => /^switchboard_transport_(fallbacks|upgrades)_total\{/.test(line))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

function wellFormed(sent: string): boolean {
  if (Buffer.byteLength(sent) > 1024) return false;
  try {
    return TransportReport.safeParse(JSON.parse(sent)).success;
  } catch {
    return false;
  }
}

describe("transport reports over HTTP", () => {
  fuzzEdge("POST /v1/transport-reports (fuzzed bodies, with and without a session)", [body, fc.boolean()], async (sent, signedIn) => {
    const t = target();
    const what = `POST ${transportReportsPaths.reports} ${signedIn ? "signed in" : "anonymous"} ${describeValue(sent, 200)}`;
    const before = await t.digest();
    const countedBefore = await reportedTotal(t.baseUrl);
    const answer = await t.errors.guard(
      what,
      request(`${t.baseUrl}${transportReportsPaths.reports}`, {
        method: "POST",
        headers: { ...(signedIn ? t.authHeaders() : {}), "content-type": "application/json" },
        body: sent,
      }),
    );
    const counted = (await reportedTotal(t.baseUrl)) - countedBefore;
    const accepted = answer.status === 204;
    if (accepted) {
      expect(signedIn && wellFormed(sent), `${what}: only a signed-in, well-formed report is counted`).toBe(true);
      expect(counted, what).toBe(1);
    } else {
      const error = expectTypedRejection(answer, what);
      expect(counted, `${what}: a refused report moves no counter`).toBe(0);
      if (signedIn && wellFormed(sent)) expect.fail(`${what}: a well-formed report was refused: ${error.code}`);
    }
    await t.expectDatabaseUnchanged(before, what);
    await t.caseDone(what);
    return accepted;
  });
});
