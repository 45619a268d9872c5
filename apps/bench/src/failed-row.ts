import type { BenchOptions } from "./options";
import type { RowResult } from "./run-row";
import { serverKindOf, type Scenario } from "./scenarios";
import type { LatencySummary } from "./stats";

const NO_LATENCY: LatencySummary = { samples: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN, mean: Number.NaN };

/** The row of a run that threw: every figure NaN, the error kept. */
export function failedRow(scenario: Scenario, options: BenchOptions, error: unknown): RowResult {
  return {
    scenario,
    server: serverKindOf(scenario),
    ok: false,
    error: error instanceof Error ? error.message.split("\n")[0] : String(error),
    subscribers: options.subscribers,
    windowMs: 0,
    latency: NO_LATENCY,
    windowDeliveries: 0,
    deliveriesPerSec: 0,
    bytesPerMsg: Number.NaN,
    upBytesPerMsg: Number.NaN,
    requestsPerMsg: Number.NaN,
    cpuMsPer1k: Number.NaN,
    cpuUserMsPer1k: Number.NaN,
    cpuSystemMsPer1k: Number.NaN,
    serverCpuPct: Number.NaN,
    idleCpuMsPerS: Number.NaN,
    otherCpuPct: Number.NaN,
    loadgenCpuPct: Number.NaN,
    serverHeapUsedMiB: Number.NaN,
    serverRssMiB: Number.NaN,
    published: 0,
    expected: 0,
    received: 0,
    lost: 0,
    duplicates: 0,
    outOfOrder: 0,
    errors: 0,
    anomalies: 0,
    drained: false,
  };
}
