/**
 * `pnpm bench:flags`: the time from a `transport.chat` change to the last
 * client switched, per ordered transport pair, at 100 and 1,000 clients
 * (issue #11's closing figure), with chat messages flowing and checked by
 * every client. See flags/flags-report.ts (method) and flags/run-client-count.ts.
 *
 * Writes bench/results/flags-<time>.json and .md (or into --out). Exit 1 when
 * any row lost, doubled or reordered a message, left a client behind or failed.
 */
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { rowPassed, type FlipRow } from "../flags/flip-row";
import { renderFlagsMarkdown, renderFlagsText, type FlagBenchResults } from "../flags/flags-report";
import { FLAGS_USAGE, FlagBenchOptionError, parseFlagOptions, type FlagBenchOptions } from "../flags/options";
import { chainPairs, pairName } from "../flags/pairs";
import { killFlagChildren, runClientCount } from "../flags/run-client-count";
import { PACKAGE_DIR } from "../run-row";
import { fileStamp } from "./file-stamp";

const REPO_ROOT = path.resolve(PACKAGE_DIR, "../..");
const startedAtMs = Date.now();

function stamp(): string {
  const seconds = Math.floor((Date.now() - startedAtMs) / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
}

const progress = (message: string) => console.log(`[${stamp()}] ${message}`);

process.on("exit", killFlagChildren);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the flags bench`);
    killFlagChildren();
    process.exit(130);
  });
}

async function main(): Promise<number> {
  let options: FlagBenchOptions;
  try {
    const parsed = parseFlagOptions(process.argv.slice(2));
    if (parsed === "help") {
      console.log(FLAGS_USAGE);
      return 0;
    }
    options = parsed;
  } catch (error) {
    if (!(error instanceof FlagBenchOptionError)) throw error;
    console.error(`${error.message}\n\n${FLAGS_USAGE}`);
    return 2;
  }

  const startedAt = new Date();
  const pairs = chainPairs(options.pairs);
  console.log(
    `Flags bench: ${pairs.length} pair(s) (${pairs.map(pairName).join(", ")}) × ${options.clients.join(", ")} clients; ` +
      `${options.rate} chat messages/s${options.quick ? " (quick)" : ""}\n`,
  );
  const rows: FlipRow[] = [];
  let pinned = options.pin;
  for (const clients of options.clients) {
    const measured = await runClientCount(clients, pairs, options, progress);
    rows.push(...measured.rows);
    pinned &&= measured.pinned;
  }

  const cpus = os.cpus();
  const results: FlagBenchResults = {
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
    pinned,
    rows,
    failed: rows.filter((row) => !rowPassed(row)).length,
  };
  console.log(`\n${renderFlagsText(results)}`);
  const outDir = path.resolve(options.outDir ?? path.join(REPO_ROOT, "bench/results"));
  await mkdir(outDir, { recursive: true });
  const base = path.join(outDir, `flags-${fileStamp(startedAt)}`);
  await writeFile(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(`${base}.md`, renderFlagsMarkdown(results));
  console.log(`\nWrote ${base}.json and ${base}.md`);
  return results.failed === 0 ? 0 : 1;
}

main().then(
  (code) => {
    killFlagChildren();
    process.exit(code);
  },
  (error: unknown) => {
    console.error(error);
    killFlagChildren();
    process.exit(1);
  },
);
