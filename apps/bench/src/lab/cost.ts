import type { RowResult } from "../run-row";
import type { Scenario } from "../scenarios";
import { rowOptions, type LabOptions } from "./lab-options";
import { measureRow, type Log } from "./measure-row";

export interface CostRow {
  scenario: Scenario;
  subscribers: number;
  rate: number;
  row: RowResult;
}

/** One transport at each subscriber count, the same publish rate: what one more subscriber costs. */
export async function runCost(scenario: Scenario, lab: LabOptions, log: Log): Promise<CostRow[]> {
  const rows: CostRow[] = [];
  for (const subscribers of lab.costSizes) {
    const options = rowOptions(lab, { subscribers, rate: lab.costRate, idle: 0, drainTimeoutMs: 20_000 });
    rows.push({ scenario, subscribers, rate: lab.costRate, row: await measureRow(scenario, options, `cost ${scenario} ×${subscribers}`, log) });
  }
  return rows;
}
