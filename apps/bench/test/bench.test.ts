import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { BenchResults } from "../src/report";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
let outDir: string | undefined;

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

function runBench(args: string[], timeoutMs: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", "src/cli/bench.ts", ...args], { cwd: packageDir, timeout: timeoutMs }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
    );
  });
}

async function readResults(dir: string): Promise<BenchResults> {
  const jsonFile = (await readdir(dir)).find((file) => file.endsWith(".json"));
  expect(jsonFile).toBeDefined();
  return JSON.parse(await readFile(path.join(dir, jsonFile!), "utf8")) as BenchResults;
}

describe("pnpm bench --quick", () => {
  it("runs SSE and its bare baseline end to end with every message delivered once", async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), "switchboard-bench-"));
    const output = await runBench(["--quick", "--transports", "sse", "--idle", "20", "--out", outDir], 150_000);
    expect(output).toContain("Targets");

    expect((await readdir(outDir)).some((file) => file.endsWith(".md"))).toBe(true);
    const results = await readResults(outDir);

    expect(results.rows.map((row) => row.scenario).sort()).toEqual(["bare-sse", "sse"]);
    for (const row of results.rows) {
      expect(row.ok, row.error).toBe(true);
      expect(row.windowDeliveries).toBeGreaterThan(0);
      expect(row.received).toBeGreaterThan(0);
      expect(row.lost).toBe(0);
      expect(row.duplicates).toBe(0);
      expect(row.outOfOrder).toBe(0);
      expect(row.idle?.opened).toBe(20);
    }
    expect(results.comparisons.map((comparison) => comparison.baseline)).toEqual(["bare-sse"]);
    expect(results.checks.some((check) => check.target.startsWith("bytes per message"))).toBe(true);
  });

  // The Redis rows on the machine's Redis and PostgreSQL, 2 instances behind a real nginx, and the same-load reference row.
  it("--redis runs SSE as 1 instance, as 2 behind nginx and in process at half the audience, with every target computed", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "switchboard-bench-redis-"));
    try {
      const output = await runBench(["--quick", "--redis", "--transports", "sse", "--no-baselines", "--idle", "0", "--subscribers", "10", "--out", dir], 240_000);
      expect(output).toContain("On Redis");
      const results = await readResults(dir);
      const rows = [...results.rows, ...(results.redis?.rows ?? []), ...(results.redis?.shareRows ?? [])];
      expect(rows.map((row) => row.deployment ?? (row.shareOf ? `1/${row.shareOf}` : "in-process"))).toEqual(["in-process", "redis", "redis-2-nginx", "1/2"]);
      for (const row of rows) {
        expect(row.ok, row.error).toBe(true);
        expect(row.received).toBeGreaterThan(0);
        expect(row.lost + row.duplicates + row.outOfOrder).toBe(0);
      }
      expect(results.redis?.shareRows?.[0]?.subscribers).toBe(5);
      const twoInstances = results.redis?.comparisons.find((comparison) => comparison.instances === 2);
      expect(twoInstances?.cpuPerMsgSameLoad).toBeGreaterThan(0);
      const cpuChecks = results.checks.filter((check) => check.target.includes("CPU per delivery") && check.target.includes("Redis"));
      expect(cpuChecks.map((check) => check.value !== null)).toEqual([true, true]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
