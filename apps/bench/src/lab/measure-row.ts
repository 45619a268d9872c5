import { setTimeout as sleep } from "node:timers/promises";
import { failedRow } from "../failed-row";
import type { BenchOptions } from "../options";
import { BUSY_MACHINE_PCT } from "../report";
import { runRow, type RowResult } from "../run-row";
import type { Scenario } from "../scenarios";

export type Log = (label: string, message: string) => void;

/**
 * One row of the lab through the bench's own row runner (fresh server and
 * load-generator processes, pinned). A row measured while other processes
 * kept the machine busy is measured again (bounded), keeping the quietest.
 */
export async function measureRow(scenario: Scenario, options: BenchOptions, label: string, log: Log): Promise<RowResult> {
  let best: RowResult | undefined;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0) {
      log(label, `other processes used ${best!.otherCpuPct.toFixed(0)} % of the machine: measuring again in 5 s`);
      await sleep(5000);
    }
    try {
      const result = await runRow(scenario, options, (_name, message) => log(label, message));
      if (!best || !best.ok || result.otherCpuPct < best.otherCpuPct) best = result;
    } catch (error) {
      log(label, `FAILED: ${(error as Error).message.split("\n")[0]}`);
      best ??= failedRow(scenario, options, error);
      break;
    }
    if (best.otherCpuPct <= BUSY_MACHINE_PCT) break;
  }
  return best!;
}

/** Events a row lost, duplicated or delivered out of order (a correctness failure, whatever the load). */
export function faults(row: RowResult): number {
  return row.lost + row.duplicates + row.outOfOrder;
}
