/**
 * `pnpm bench`: runs every row (Switchboard transports and bare baselines),
 * prints a table with ratios and pass/fail against the design targets, and
 * writes bench/results/<timestamp>.{json,md} (and docs/benchmark.md with --docs).
 */
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import path from "node:path";
import { parseOptions, USAGE, type BenchOptions } from "../options";
import { BUSY_MACHINE_PCT, compare, renderMarkdown, renderText, type BenchResults } from "../report";
import { runFloodRow, type FloodResult } from "../run-flood-row";
import { liveChildren, PACKAGE_DIR, runRow, type RowDeployment, type RowResult } from "../run-row";
import { compareRedis } from "../redis/redis-report";
import { freshRedisDatabase } from "../redis/redis-database";
import { isSwitchboard, planRows, type Scenario } from "../scenarios";
import { failedRow } from "../failed-row";
import { fileStamp } from "./file-stamp";

const REPO_ROOT = path.resolve(PACKAGE_DIR, "../..");
/** The --redis deployments: name and instances. */
const REDIS_DEPLOYMENTS = [
  ["redis", 1],
  ["redis-2-nginx", 2],
] as const;
const startedAtMs = Date.now();

function stamp(): string {
  const seconds = Math.floor((Date.now() - startedAtMs) / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
}

function killChildren() {
  for (const child of liveChildren) child.kill();
}

process.on("exit", killChildren);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the bench`);
    killChildren();
    process.exit(130);
  });
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    const parsed = parseOptions(process.argv.slice(2));
    if (parsed === "help") {
      console.log(USAGE);
      return 0;
    }
    options = parsed;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }

  const rows = planRows(options.transports, options.baselines);
  const startedAt = new Date();
  console.log(
    `Switchboard bench: ${[...rows, ...options.floods.map((kind) => `flood:${kind}`)].join(", ")}\n` +
      `${options.subscribers} subscribers, ${options.rate} msg/s, ${options.payloadBytes} B payload, ` +
      `${options.warmupS} s warm-up + ${options.durationS} s measured, ${options.idle} idle connections` +
      `${options.quick ? " (quick)" : ""}\n`,
  );

  /** One row, retried on a busy machine; `shareOf` N: in process, at 1/N of the subscribers. */
  async function measure(scenario: Scenario, deployment?: RowDeployment, shareOf?: number): Promise<RowResult> {
    // No "/" in a label: --profile names its files after it.
    const label = deployment ? `${scenario}@${deployment.name}` : shareOf ? `${scenario}@1-in-${shareOf}` : scenario;
    // A share row measures delivery only: heap per idle connection is the full in-process row's figure.
    const rowOptions = shareOf ? { ...options, subscribers: Math.max(1, Math.round(options.subscribers / shareOf)), idle: 0 } : options;
    const progress = (_name: Scenario, message: string) => console.log(`[${stamp()}] ${label.padEnd(14)} ${message}`);
    // A window measured while other processes kept the machine busy is run again (bounded), keeping the quietest attempt.
    let best: RowResult | undefined;
    for (let attempt = 0; attempt <= options.retries; attempt++) {
      if (attempt > 0) {
        progress(scenario, `other processes used ${best!.otherCpuPct.toFixed(0)} % of the machine: measuring again (${attempt}/${options.retries}) in 10 s`);
        await sleep(10_000);
      }
      try {
        const result = { ...(await runRow(scenario, rowOptions, progress, deployment, label)), ...(shareOf ? { shareOf } : {}) };
        if (!best || !best.ok || result.otherCpuPct < best.otherCpuPct) best = result;
      } catch (error) {
        progress(scenario, `FAILED: ${(error as Error).message}`);
        const where = deployment ? { deployment: deployment.name, instances: deployment.instances } : shareOf ? { shareOf } : {};
        if (!best) best = { ...failedRow(scenario, rowOptions, error), ...where };
        break;
      }
      if (!best.ok || best.otherCpuPct <= BUSY_MACHINE_PCT) break;
    }
    return best!;
  }

  const results: RowResult[] = [];
  for (const scenario of rows) results.push(await measure(scenario));

  // Redis rows (--redis): each Switchboard transport of this run again, on Redis, 1 instance then 2 behind nginx,
  // and in process at 1/N of the subscribers for each N-instance one: one instance's load (a process at a smaller load
  // costs more per delivery on its own, so the N-instance row's CPU is compared at the same load per process).
  const redisRows: RowResult[] = [];
  const shareRows: RowResult[] = [];
  if (options.redis) {
    const database = await freshRedisDatabase();
    try {
      for (const scenario of rows.filter(isSwitchboard)) {
        for (const [name, instances] of REDIS_DEPLOYMENTS) {
          redisRows.push(await measure(scenario, { name, instances, redisUrl: options.redis, databaseUrl: database.url }));
        }
        for (const [, instances] of REDIS_DEPLOYMENTS) if (instances > 1) shareRows.push(await measure(scenario, undefined, instances));
      }
    } finally {
      await database.drop();
    }
  }

  // Flood rows: one attempt each (an attack is not rerun on a busy machine; the other-load column says how busy it was).
  const floods: FloodResult[] = [];
  for (const kind of options.floods) {
    const progress = (name: string, message: string) => console.log(`[${stamp()}] ${name.padEnd(14)} ${message}`);
    floods.push(await runFloodRow(kind, options, options.floodSizes, progress));
  }

  const busy = results.filter((row) => row.ok && row.otherCpuPct > BUSY_MACHINE_PCT);
  if (busy.length > 0) {
    console.warn(
      `\nWarning: other processes used > ${BUSY_MACHINE_PCT} % of the machine's CPU while ${busy.map((row) => row.scenario).join(", ")} ` +
        "were measured; their figures are skewed. Rerun on a quiet machine.",
    );
  }
  const cpus = os.cpus();
  const { comparisons, checks } = compare(results, options);
  const redis = options.redis ? { rows: redisRows, shareRows, ...compareRedis(results, redisRows, shareRows) } : undefined;
  const report: BenchResults = {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options,
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? "unknown",
      memoryGiB: os.totalmem() / 1024 ** 3,
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    },
    rows: results,
    comparisons,
    checks: [...checks, ...(redis?.checks ?? [])],
    ...(redis ? { redis: { rows: redis.rows, shareRows: redis.shareRows, comparisons: redis.comparisons } } : {}),
    ...(floods.length > 0 ? { floods } : {}),
  };

  console.log(`\n${renderText(report)}\n`);
  const outDir = path.resolve(options.outDir ?? path.join(REPO_ROOT, "bench/results"));
  await mkdir(outDir, { recursive: true });
  const base = path.join(outDir, fileStamp(startedAt));
  const markdown = renderMarkdown(report);
  await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(`${base}.md`, markdown);
  console.log(`Wrote ${base}.json and ${base}.md`);
  if (options.docs) {
    const docsFile = path.join(REPO_ROOT, "docs/benchmark.md");
    await writeFile(docsFile, markdown);
    console.log(`Wrote ${docsFile}`);
  }
  // A flood row that hit the RSS limit or crashed the server is a measured result (the "before" figure), not a bench failure.
  return [...results, ...redisRows, ...shareRows].every((row) => row.ok) && floods.every((flood) => flood.calm !== undefined) ? 0 : 1;
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
