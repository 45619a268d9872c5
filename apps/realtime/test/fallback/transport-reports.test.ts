import { ErrorResponse, transportReportsPaths } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TRANSPORT_REPORTS_DEFAULTS } from "../../src/features/transport-reports/transport-reports-feature";
import { signIn, startTestServer, type TestServer } from "../sdk/support/server";

/*
 * The route the SDK reports fallbacks and upgrades to: a session is required,
 * names come from the transport enum only (so /metrics has at most 12 series
 * per counter), and each session is rate limited.
 */
let service: TestServer;
beforeAll(async () => {
  service = await startTestServer();
});
afterAll(() => service.stop());

function post(body: unknown, token?: string) {
  return fetch(`${service.baseUrl}${transportReportsPaths.reports}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

async function codeOf(response: Response): Promise<string> {
  return ErrorResponse.parse(await response.json()).error.code;
}

describe("POST /v1/transport-reports", () => {
  test("a signed-in report is counted by pair; every pair is exposed from the start, and only those", async () => {
    const ada = await signIn(service.baseUrl, "Ada");
    const series = 'switchboard_transport_fallbacks_total{from="long-polling",to="polling"}';
    const before = await service.gauge(series);
    const answer = await post({ kind: "fallback", from: "long-polling", to: "polling", reason: "open_failed" }, ada.token);
    expect(answer.status).toBe(204);
    expect(await service.gauge(series)).toBe(before + 1);
    expect(await service.gauge('switchboard_transport_upgrades_total{from="polling",to="websocket"}')).toBe(0);
    const text = await (await fetch(`${service.baseUrl}/metrics`)).text();
    for (const counter of ["fallbacks", "upgrades"]) {
      expect(text.split("\n").filter((line) => line.startsWith(`switchboard_transport_${counter}_total{`))).toHaveLength(12);
    }
  });

  test("no session: 401; unknown transports, the same pair, a reason on an upgrade: 400, nothing counted", async () => {
    const ada = await signIn(service.baseUrl, "Grace");
    expect(await post({ kind: "fallback", from: "websocket", to: "sse" }).then(async (r) => [r.status, await codeOf(r)])).toEqual([401, "unauthorized"]);
    for (const bad of [
      { kind: "fallback", from: "webtransport", to: "sse" },
      { kind: "fallback", from: "sse", to: "sse" },
      { kind: "upgrade", from: "sse", to: "websocket", reason: "open_failed" },
      { kind: "fallback", from: "websocket", to: "sse", extra: 1 },
      { kind: "teleport", from: "websocket", to: "sse" },
    ]) {
      const answer = await post(bad, ada.token);
      expect([answer.status, await codeOf(answer)], JSON.stringify(bad)).toEqual([400, "validation"]);
    }
  });

  test(`one session may report ${TRANSPORT_REPORTS_DEFAULTS.perSession.points} times a minute; then 429 with Retry-After`, async () => {
    const linus = await signIn(service.baseUrl, "Linus");
    const { points } = TRANSPORT_REPORTS_DEFAULTS.perSession;
    for (let i = 0; i < points; i++) expect((await post({ kind: "upgrade", from: "sse", to: "websocket" }, linus.token)).status).toBe(204);
    const refused = await post({ kind: "upgrade", from: "sse", to: "websocket" }, linus.token);
    expect([refused.status, await codeOf(refused)]).toEqual([429, "rate_limited"]);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Another session is not affected.
    const other = await signIn(service.baseUrl, "Barbara");
    expect((await post({ kind: "upgrade", from: "sse", to: "websocket" }, other.token)).status).toBe(204);
  });
});
