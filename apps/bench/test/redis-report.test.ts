import { describe, expect, it } from "vitest";
import { compareRedis, redisCells } from "../src/redis/redis-report";
import type { RowResult } from "../src/run-row";

/** A measured row with only the figures the Redis comparison reads. */
function row(overrides: Partial<RowResult>): RowResult {
  return {
    scenario: "websocket",
    server: "switchboard",
    ok: true,
    subscribers: 1000,
    windowMs: 10_000,
    latency: { samples: 100, p50: 1, p95: 2, p99: 4, max: 5, mean: 1 },
    windowDeliveries: 200_000,
    deliveriesPerSec: 20_000,
    bytesPerMsg: 300,
    upBytesPerMsg: 0,
    requestsPerMsg: 0,
    cpuMsPer1k: 10,
    cpuUserMsPer1k: 8,
    cpuSystemMsPer1k: 2,
    serverCpuPct: 20,
    idleCpuMsPerS: 1,
    otherCpuPct: 0,
    loadgenCpuPct: 50,
    serverHeapUsedMiB: 50,
    serverRssMiB: 100,
    published: 200,
    expected: 200_000,
    received: 200_000,
    lost: 0,
    duplicates: 0,
    outOfOrder: 0,
    errors: 0,
    anomalies: 0,
    drained: true,
    ...overrides,
  };
}

describe("Redis rows beside the in-process ones", () => {
  it("are ratios to the in-process row of the same transport, checked against the issue's targets", () => {
    const inProcess = [row({}), row({ scenario: "sse", cpuMsPer1k: 5 })];
    const redisRows = [
      row({ deployment: "redis", instances: 1, cpuMsPer1k: 14, latency: { samples: 100, p50: 2, p95: 4, p99: 9, max: 10, mean: 2 } }),
      row({ scenario: "sse", deployment: "redis-2-nginx", instances: 2, cpuMsPer1k: 6, proxyCpuMsPer1k: 1, redisCallsPerMessage: 9 }),
    ];
    // The in-process sse row at half the subscribers (one instance's share) costs more per delivery on its own.
    const shareRows = [row({ scenario: "sse", subscribers: 500, shareOf: 2, cpuMsPer1k: 4 })];
    const { comparisons, checks } = compareRedis(inProcess, redisRows, shareRows);
    expect(comparisons).toEqual([
      { row: "websocket", deployment: "redis", instances: 1, p50: 2, p99: 2.25, cpuPerMsg: 1.4, cpuPerMsgWithProxy: 1.4 },
      { row: "sse", deployment: "redis-2-nginx", instances: 2, p50: 1, p99: 1, cpuPerMsg: 1.2, cpuPerMsgWithProxy: 1.4, cpuPerMsgSameLoad: 1.5 },
    ]);
    const verdicts = checks.map((check) => [check.row, check.target, check.pass]);
    expect(verdicts).toContainEqual(["websocket", "1 instance on Redis: CPU per delivery ≤ 1.5× in process", true]);
    expect(verdicts).toContainEqual(["websocket", "1 instance on Redis: p99 latency ≤ 2× in process", false]);
    expect(verdicts).toContainEqual(["sse", "2 instances on Redis behind nginx: 0 lost, 0 duplicated, in order", true]);
    expect(verdicts).toContainEqual(["sse", "2 instances on Redis behind nginx: CPU per delivery ≤ 1.5× in process at one instance's load (500 subscribers)", true]);
    // The ratio to the full in-process row is still shown, beside the target.
    expect(checks.find((check) => check.target.includes("one instance's load"))?.note).toContain("1.20× the in-process row at all 1000 subscribers");
    const cells = redisCells(redisRows, comparisons, shareRows, inProcess);
    expect(cells[1]).toContain("9.0");
    expect(cells[2]).toEqual(expect.arrayContaining(["in process, 500 subscribers (1/2)", "0.80"]));
  });

  it("a 2-instance row without its same-load row cannot pass its CPU target", () => {
    const { checks } = compareRedis([row({})], [row({ deployment: "redis-2-nginx", instances: 2, cpuMsPer1k: 11 })]);
    const cpu = checks.find((check) => check.target.includes("CPU"));
    expect(cpu).toMatchObject({ pass: null, note: "in-process websocket row at 1/2 of the subscribers missing" });
  });

  it("a failed or unmatched Redis row fails or says what is missing, never passes", () => {
    const { checks } = compareRedis([], [row({ deployment: "redis", ok: false, error: "no Redis" }), row({ scenario: "sse", deployment: "redis" })]);
    expect(checks[0]).toMatchObject({ target: "1 instance on Redis: row completed", pass: false, note: "no Redis" });
    const cpu = checks.find((check) => check.row === "sse" && check.target.includes("CPU"));
    expect(cpu).toMatchObject({ pass: null, note: "in-process sse row missing" });
  });
});
