import type { RowResult } from "../run-row";
import type { Scenario } from "../scenarios";
import { rowOptions, type LabOptions } from "./lab-options";
import { faults, measureRow, type Log } from "./measure-row";

/** One step of a transport's fan-out ramp: S subscribers, R msg/s, S × R deliveries/s offered. */
export interface RampStep {
  rate: number;
  subscribers: number;
  offeredPerSec: number;
  /** Within the bound: completed, p99 ≤ the bound, nothing lost, duplicated or out of order. */
  pass: boolean;
  /** Why the step failed (empty when it passed). */
  reason: string;
  row: RowResult;
}

export interface RampResult {
  scenario: Scenario;
  steps: RampStep[];
  /** The last passing step's measured deliveries/s (null: not even the first step passed). */
  ceilingPerSec: number | null;
  ceilingRate: number | null;
  /** The ramp stopped at a step over the bound (false: every step passed, the ceiling is above the last step). */
  bounded: boolean;
}

/** Steps over the bound; late messages get this long to arrive before they count as lost. */
const RAMP_DRAIN_MS = 20_000;

export function stepVerdict(row: RowResult, boundMs: number): string {
  if (!row.ok) return `failed: ${row.error ?? "error"}`;
  const reasons: string[] = [];
  if (row.lost > 0) reasons.push(`${row.lost} lost`);
  if (row.duplicates > 0) reasons.push(`${row.duplicates} duplicated`);
  if (row.outOfOrder > 0) reasons.push(`${row.outOfOrder} out of order`);
  if (!(row.latency.p99 <= boundMs)) reasons.push(`p99 ${row.latency.p99.toFixed(0)} ms > ${boundMs} ms`);
  return reasons.join(", ");
}

/** Ramps the publish rate of one transport until the first step over the bound; the last passing step is its ceiling. */
export async function runRamp(scenario: Scenario, lab: LabOptions, log: Log): Promise<RampResult> {
  const steps: RampStep[] = [];
  for (const rate of lab.rampRates) {
    const options = rowOptions(lab, { subscribers: lab.rampSubscribers, rate, idle: 0, drainTimeoutMs: RAMP_DRAIN_MS });
    const label = `ramp ${scenario} ${rate}/s`;
    const row = await measureRow(scenario, options, label, log);
    const reason = stepVerdict(row, lab.p99BoundMs);
    steps.push({ rate, subscribers: lab.rampSubscribers, offeredPerSec: rate * lab.rampSubscribers, pass: reason === "", reason, row });
    log(label, reason === "" ? "within the bound" : `over the bound: ${reason}; the ramp of ${scenario} stops here`);
    if (reason !== "") break;
  }
  const passing = steps.filter((step) => step.pass);
  const last = passing.at(-1);
  return {
    scenario,
    steps,
    ceilingPerSec: last ? last.row.deliveriesPerSec : null,
    ceilingRate: last ? last.rate : null,
    bounded: steps.some((step) => !step.pass),
  };
}

/** Faults (lost, duplicated, out of order) in any step: these fail the run, whatever the load. */
export function rampFaults(ramp: RampResult): number {
  return ramp.steps.reduce((sum, step) => sum + (step.row.ok ? faults(step.row) : 0), 0);
}
