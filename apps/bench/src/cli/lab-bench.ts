/**
 * `pnpm bench:lab`: the transport lab's measurements — the fan-out ramp, N
 * idle connections per transport, cost against subscriber count, the
 * reconnect storm of a restart under N SDK clients, seven SSE streams in
 * Chromium over HTTP/1.1 and HTTP/2 — written as
 * JSON and as SVG charts (Vega-Lite); with --docs also docs/transports.md and
 * docs/transports/*.svg. `--from` renders those from earlier result files.
 */
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { benchEnv } from "../env";
import { renderCharts } from "../lab/charts";
import { measureComplexity } from "../lab/complexity";
import { runCost, type CostRow } from "../lab/cost";
import { connectionLimits, runIdle, type IdleRow } from "../lab/idle";
import { LAB_USAGE, parseLabOptions, type LabOptions } from "../lab/lab-options";
import { loadLabResults, reproducingCommand, toJson, type LabResults } from "../lab/lab-results";
import { faults } from "../lab/measure-row";
import { rampFaults, runRamp, type RampResult } from "../lab/ramp";
import { h2Problems, runH2, type H2Row } from "../lab/h2-streams";
import { runStorm, stormProblems, type StormRow } from "../lab/storm";
import { freshRedisDatabase } from "../redis/redis-database";
import { stormFigures } from "../lab/storm-doc";
import { renderLabSummary, renderTransportsDoc } from "../lab/transports-doc";
import { liveChildren, PACKAGE_DIR } from "../run-row";
import { fileStamp } from "./file-stamp";

const REPO_ROOT = path.resolve(PACKAGE_DIR, "../..");
const startedAtMs = Date.now();
/** A path given on the command line, relative to where it was typed. */
const given = (file: string) => path.resolve(benchEnv.INIT_CWD ?? process.cwd(), file);

function log(label: string, message: string) {
  const seconds = Math.floor((Date.now() - startedAtMs) / 1000);
  console.log(`[${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}] ${label.padEnd(26)} ${message}`);
}

function killChildren() {
  for (const child of liveChildren) child.kill();
}
process.on("exit", killChildren);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killChildren();
    process.exit(130);
  });
}

async function measure(options: LabOptions, startedAt: Date): Promise<LabResults> {
  const limits = await connectionLimits();
  let ramp: RampResult[] | undefined;
  let idle: IdleRow[] | undefined;
  let cost: CostRow[] | undefined;
  let storm: StormRow[] | undefined;
  let h2: H2Row[] | undefined;
  if (options.scenarios.includes("ramp")) {
    ramp = [];
    for (const scenario of options.rampTransports) ramp.push(await runRamp(scenario, options, log));
  }
  if (options.scenarios.includes("idle")) {
    const needed = options.idleConnections + 1000;
    if (limits.openFilesSoft !== null && limits.openFilesSoft < needed) {
      log("idle", `warning: ulimit -n is ${limits.openFilesSoft}; ${options.idleConnections} connections need about ${needed} file descriptors per process (Node cannot raise it: run \`ulimit -n ${needed}\` first)`);
    }
    idle = [];
    for (const scenario of options.idleTransports) idle.push(await runIdle(scenario, options, log));
  }
  if (options.scenarios.includes("cost")) {
    cost = [];
    for (const scenario of options.costTransports) cost.push(...(await runCost(scenario, options, log)));
  }
  if (options.scenarios.includes("storm")) {
    // Sessions must outlive the killed process: one PostgreSQL database for the storm rows, dropped afterwards.
    const database = await freshRedisDatabase();
    storm = [];
    try {
      for (const transport of options.stormTransports) {
        for (const jitter of [true, false]) storm.push(await runStorm(transport, jitter, options, database.url, log));
      }
    } finally {
      await database.drop();
    }
  }
  if (options.scenarios.includes("h2")) h2 = await runH2(log);
  const cpus = os.cpus();
  return {
    kind: "switchboard-lab",
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: reproducingCommand(process.argv.slice(2)),
    options,
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? "unknown",
      memoryGiB: os.totalmem() / 1024 ** 3,
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    },
    limits,
    ...(ramp ? { ramp } : {}),
    ...(idle ? { idle } : {}),
    ...(cost ? { cost } : {}),
    ...(storm ? { storm } : {}),
    ...(h2 ? { h2 } : {}),
    complexity: await measureComplexity(REPO_ROOT),
  };
}

/** Lost, duplicated or out-of-order events anywhere in the run, and rows that failed to run. */
function problems(results: LabResults): string[] {
  const out: string[] = [];
  for (const ramp of results.ramp ?? []) {
    const count = rampFaults(ramp);
    if (count > 0) out.push(`ramp ${ramp.scenario}: ${count} events lost, duplicated or out of order`);
    for (const step of ramp.steps) if (!step.row.ok) out.push(`ramp ${ramp.scenario} ${step.rate}/s failed: ${step.row.error}`);
  }
  for (const row of results.idle ?? []) {
    if (row.error) out.push(`idle ${row.scenario} failed: ${row.error}`);
    else if (row.idle && row.idle.failed > 0) out.push(`idle ${row.scenario}: ${row.idle.failed} of ${row.idle.requested} connections failed (${row.idle.firstError})`);
  }
  for (const entry of results.cost ?? []) {
    if (!entry.row.ok) out.push(`cost ${entry.scenario} ×${entry.subscribers} failed: ${entry.row.error}`);
    else if (faults(entry.row) > 0) out.push(`cost ${entry.scenario} ×${entry.subscribers}: ${faults(entry.row)} events lost, duplicated or out of order`);
  }
  for (const row of results.storm ?? []) out.push(...stormProblems(row));
  out.push(...h2Problems(results.h2 ?? []));
  return out;
}

async function main(): Promise<number> {
  let options: LabOptions;
  try {
    const parsed = parseLabOptions(process.argv.slice(2));
    if (parsed === "help") {
      console.log(LAB_USAGE);
      return 0;
    }
    options = parsed;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${LAB_USAGE}`);
    return 2;
  }
  const startedAt = new Date();
  const results = options.from.length > 0 ? await loadLabResults(options.from.map(given)) : await measure(options, startedAt);
  if (options.from.length > 0) results.complexity = await measureComplexity(REPO_ROOT);

  const outDir = options.outDir ? given(options.outDir) : path.join(REPO_ROOT, "bench/results");
  const runDir = path.join(outDir, `lab-${fileStamp(startedAt)}`);
  await mkdir(runDir, { recursive: true });
  const charts = await renderCharts(results);
  if (options.from.length === 0) await writeFile(path.join(runDir, "lab.json"), toJson(results));
  for (const chart of charts) await writeFile(path.join(runDir, `${chart.name}.svg`), chart.svg);
  console.log(`\n${renderLabSummary(results)}\n`);
  console.log(`Wrote ${runDir}/ (${options.from.length === 0 ? "lab.json, " : ""}${charts.map((chart) => `${chart.name}.svg`).join(", ")})`);
  if (options.docs) {
    const docsDir = options.docsDir ? given(options.docsDir) : path.join(REPO_ROOT, "docs");
    await mkdir(path.join(docsDir, "transports"), { recursive: true });
    for (const chart of charts) await writeFile(path.join(docsDir, "transports", `${chart.name}.svg`), chart.svg);
    await writeFile(path.join(docsDir, "transports", "lab.json"), toJson(results));
    await writeFile(path.join(docsDir, "transports.md"), renderTransportsDoc(results, charts));
    const storm = stormFigures(results);
    // The web app's reconnect-storm panel imports this file (apps/web/src/features/lab/pains/reconnect-storm.tsx).
    if (storm) await writeFile(path.join(docsDir, "transports", "reconnect-storm.json"), storm);
    console.log(`Wrote ${docsDir}/transports.md and ${docsDir}/transports/ (lab.json and ${charts.length} charts)`);
  }
  const found = problems(results);
  for (const problem of found) console.error(`FAIL ${problem}`);
  return found.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    killChildren();
    process.exit(code);
  },
  (error: unknown) => {
    console.error(error);
    killChildren();
    process.exit(1);
  },
);
