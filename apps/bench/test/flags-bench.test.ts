import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { FlagBenchResults } from "../src/flags/flags-report";
import { FlagBenchOptionError, parseFlagOptions } from "../src/flags/options";
import { ALL_PAIRS, chainPairs, pairName, parsePairs, QUICK_PAIRS } from "../src/flags/pairs";
import { SeqLedger } from "../src/flags/seq-ledger";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const outDirs: string[] = [];

afterAll(async () => {
  for (const dir of outDirs) await rm(dir, { recursive: true, force: true });
});

function run(args: string[], timeout: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "src/cli/flags-bench.ts", ...args], { cwd: packageDir, timeout }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

async function results(dir: string): Promise<FlagBenchResults> {
  const files = await readdir(dir);
  const json = files.find((file) => file.startsWith("flags-") && file.endsWith(".json"));
  expect(json, files.join(", ")).toBeDefined();
  expect(files.some((file) => file.startsWith("flags-") && file.endsWith(".md"))).toBe(true);
  return JSON.parse(await readFile(path.join(dir, json!), "utf8")) as FlagBenchResults;
}

describe("bench:flags pairs and options", () => {
  it("orders all 12 pairs into one circuit: each flip starts where the last one ended", () => {
    const chained = chainPairs(ALL_PAIRS);
    expect(new Set(chained.map(pairName))).toEqual(new Set(ALL_PAIRS.map(pairName)));
    expect(chained).toHaveLength(12);
    for (let i = 1; i < chained.length; i++) expect(chained[i]!.from).toBe(chained[i - 1]!.to);
  });

  it("reads --pairs as from:to with * for either side, and refuses what names no pair", () => {
    expect(parsePairs("websocket:*").map(pairName)).toEqual(["websocket → polling", "websocket → long-polling", "websocket → sse"]);
    expect(parsePairs("sse:polling, *:sse").map(pairName)).toEqual(["polling → sse", "long-polling → sse", "sse → polling", "websocket → sse"]);
    expect(() => parsePairs("sse:sse")).toThrow(/matches no pair/);
    expect(() => parsePairs("sse-polling")).toThrow(/from:to/);
    expect(() => parsePairs("sse:carrier-pigeon")).toThrow(/unknown transport "carrier-pigeon"/);
  });

  it("defaults to 100 and 1,000 clients over all 12 pairs; --quick is 2 pairs × 20 clients", () => {
    expect(parseFlagOptions([])).toMatchObject({ clients: [100, 1000], pairs: ALL_PAIRS, rate: 10, quick: false });
    expect(parseFlagOptions(["--quick"])).toMatchObject({ clients: [20], pairs: QUICK_PAIRS, quick: true });
    expect(parseFlagOptions(["--quick", "--clients", "5", "--pairs", "sse:websocket"])).toMatchObject({ clients: [5], pairs: [{ from: "sse", to: "websocket" }] });
    expect(parseFlagOptions(["--help"])).toBe("help");
    for (const bad of [["--clients", "0"], ["--clients", "ten"], ["--rate", "-1"], ["--pairs", ""], ["--switch-timeout", "0"], ["--log-level", "loud"], ["--nope"]]) {
      expect(() => parseFlagOptions(bad), bad.join(" ")).toThrow(FlagBenchOptionError);
    }
  });

  it("a client's ledger counts lost, doubled and out-of-order numbers over a row's range", () => {
    const ledger = new SeqLedger();
    for (const seq of [1, 2, 3, 5, 5, 4, 3000]) ledger.record(seq);
    expect(ledger.tally(0, 5)).toEqual({ lost: 0, doubled: 1 });
    expect(ledger.tally(2, 7)).toEqual({ lost: 2, doubled: 1 });
    expect(ledger.hasAll(0, 5)).toBe(true);
    expect(ledger.hasAll(0, 6)).toBe(false);
    // 4 after 5; the second 5 is doubled, not out of order.
    expect(ledger.outOfOrder).toBe(1);
  });
});

describe("pnpm bench:flags", () => {
  it("--quick: every client follows two flips on the real service, each timed, nothing lost or doubled (exit 0)", async () => {
    const outDir = await mkdtemp(path.join(os.tmpdir(), "switchboard-flags-bench-"));
    outDirs.push(outDir);
    const { code, stdout, stderr } = await run(["--quick", "--out", outDir], 170_000);
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toContain("Time from the PUT of transport.chat");
    expect(stdout).toMatch(/20\/20 switched/);

    const { rows, failed } = await results(outDir);
    expect(failed).toBe(0);
    expect(rows.map(pairName)).toEqual(QUICK_PAIRS.map(pairName));
    for (const row of rows) {
      expect(row).toMatchObject({ clients: 20, ok: true, switched: 20, unswitched: 0, lost: 0, doubled: 0, outOfOrder: 0, mismatched: 0, clientsMissing: 0, drained: true, clientErrors: 0 });
      // One switch per client for the flip; the second pair first moves everyone onto its `from`.
      expect(row.switches).toBe(row.setMs === null ? 20 : 40);
      expect(row.latency.samples).toBe(20);
      expect(row.lastMs).toBe(row.latency.max);
      expect(row.latency.p50).toBeGreaterThan(0);
      expect(row.published).toBeGreaterThan(10);
    }
  });

  it("exits 1 when a client is not on the new transport in time (a timeout shorter than the PUT itself)", async () => {
    const outDir = await mkdtemp(path.join(os.tmpdir(), "switchboard-flags-bench-"));
    outDirs.push(outDir);
    const { code, stdout, stderr } = await run(["--quick", "--clients", "5", "--pairs", "websocket:sse", "--switch-timeout", "0.01", "--out", outDir], 170_000);
    expect(code, `${stdout}\n${stderr}`).toBe(1);
    expect(stdout).toContain("FAILED");
    const { rows, failed } = await results(outDir);
    expect(failed).toBe(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.unswitched).toBeGreaterThan(0);
    // Those still on the old transport kept receiving every message.
    expect(rows[0]).toMatchObject({ ok: true, lost: 0, doubled: 0 });
  });
});
