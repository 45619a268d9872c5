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

describe("pnpm bench --quick", () => {
  it("runs SSE and its bare baseline end to end with every message delivered once", async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), "switchboard-bench-"));
    const args = ["--import", "tsx", "src/cli/bench.ts", "--quick", "--transports", "sse", "--idle", "20", "--out", outDir];
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, args, { cwd: packageDir, timeout: 150_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(output).toContain("Targets");

    const files = await readdir(outDir);
    const jsonFile = files.find((file) => file.endsWith(".json"));
    expect(jsonFile).toBeDefined();
    expect(files.some((file) => file.endsWith(".md"))).toBe(true);
    const results = JSON.parse(await readFile(path.join(outDir, jsonFile!), "utf8")) as BenchResults;

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
});
