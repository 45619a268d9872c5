import { readFile } from "node:fs/promises";
import type { Machine } from "../report";
import type { TransportComplexity } from "./complexity";
import type { CostRow } from "./cost";
import type { ConnectionLimits, IdleRow } from "./idle";
import type { LabOptions } from "./lab-options";
import type { RampResult } from "./ramp";
import type { H2Row } from "./h2-streams";
import type { StormRow } from "./storm";

/** Everything one `pnpm bench:lab` run measured (the source of every chart and of docs/transports.md). */
export interface LabResults {
  kind: "switchboard-lab";
  version: 1;
  startedAt: string;
  finishedAt: string;
  command: string;
  options: LabOptions;
  machine: Machine;
  limits: ConnectionLimits;
  ramp?: RampResult[];
  idle?: IdleRow[];
  cost?: CostRow[];
  storm?: StormRow[];
  /** Seven SSE streams in Chromium, straight over HTTP/1.1 and through HTTP/2 TLS nginx. */
  h2?: H2Row[];
  complexity: TransportComplexity[];
}

/** The command line of this run without where it wrote (--out, --docs-dir): what reproduces its figures. */
export function reproducingCommand(argv: string[]): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") continue;
    if (arg === "--out" || arg === "--docs-dir") i++;
    else if (!arg.startsWith("--out=") && !arg.startsWith("--docs-dir=")) kept.push(arg);
  }
  return ["pnpm bench:lab", ...kept].join(" ");
}

/** Options only one scenario's section reads; the rest (warm-up, duration, payload …) belong to the ramp and cost rows. */
const OWN_OPTIONS = {
  idle: ["idleTransports", "idleConnections"],
  storm: ["stormTransports", "stormClients", "stormRedisUrl"],
} as const satisfies Record<string, ReadonlyArray<keyof LabOptions>>;

/**
 * The options of a merge: a file with ramp or cost rows brings all of its own; one with only
 * idle or storm rows brings only that scenario's, so it cannot relabel the other sections.
 */
function mergeOptions(base: LabOptions, next: LabResults): LabOptions {
  const [from, onto] = next.ramp || next.cost ? [base, { ...next.options }] : [next.options, { ...base }];
  const source = next.ramp || next.cost ? { idle: !next.idle, storm: !next.storm } : { idle: Boolean(next.idle), storm: Boolean(next.storm) };
  for (const scenario of ["idle", "storm"] as const) {
    if (!source[scenario]) continue;
    for (const key of OWN_OPTIONS[scenario]) Object.assign(onto, { [key]: from[key] });
  }
  return onto;
}

/**
 * Several runs as one (e.g. the ramp, the idle, the cost and the storm
 * scenarios run one at a time): each scenario comes from the last file that has it.
 */
export async function loadLabResults(files: string[]): Promise<LabResults> {
  let merged: LabResults | undefined;
  const commands: string[] = [];
  for (const file of files) {
    const results = JSON.parse(await readFile(file, "utf8")) as LabResults;
    if (results.kind !== "switchboard-lab") throw new Error(`${file} is not a bench:lab result`);
    commands.push(reproducingCommand(results.command.split(" ").slice(2)));
    merged = merged
      ? {
          ...merged,
          ...results,
          ramp: results.ramp ?? merged.ramp,
          idle: results.idle ?? merged.idle,
          cost: results.cost ?? merged.cost,
          storm: results.storm ?? merged.storm,
          h2: results.h2 ?? merged.h2,
          options: mergeOptions(merged.options, results),
          startedAt: merged.startedAt < results.startedAt ? merged.startedAt : results.startedAt,
        }
      : results;
  }
  if (!merged) throw new Error("--from names no file");
  return { ...merged, command: [...new Set(commands)].join(" && ") };
}

/** JSON with NaN and Infinity as null (JSON.stringify does that too; this keeps the intent visible). */
export function toJson(results: LabResults): string {
  return `${JSON.stringify(results, (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value), 2)}\n`;
}
