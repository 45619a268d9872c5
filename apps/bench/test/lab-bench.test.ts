import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measureComplexity } from "../src/lab/complexity";
import { loadLabResults, type LabResults } from "../src/lab/lab-results";
import { stepVerdict } from "../src/lab/ramp";
import type { RowResult } from "../src/run-row";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = path.resolve(packageDir, "../..");
let outDir: string;
let results: LabResults;
let runDir: string;
let exitCode: number | null = null;
let output = "";

// One tiny run of every lab scenario (each row: fresh server + load generator, as in pnpm bench; h2: Chromium and nginx).
beforeAll(async () => {
  outDir = await mkdtemp(path.join(os.tmpdir(), "switchboard-lab-"));
  const args = [
    "--import",
    "tsx",
    "src/cli/lab-bench.ts",
    "--quick",
    // Bare rows for the ramp's mechanics (a Switchboard server takes seconds to start); the cost rows run Switchboard.
    "--ramp-transports",
    "bare-ws,bare-sse",
    "--idle-transports",
    // Switchboard's idle phase is the same measureIdle that bench.test.ts runs on SSE.
    "bare-sse,polling",
    "--cost-transports",
    "long-polling",
    // The storm runs its default: 100 SDK clients on WebSocket (--quick), with jitter and without.
    "--storm-transports",
    "websocket",
    "--out",
    outDir,
    "--docs",
    "--docs-dir",
    path.join(outDir, "docs"),
  ];
  await new Promise<void>((resolve) => {
    execFile(process.execPath, args, { cwd: packageDir, timeout: 240_000 }, (error, stdout, stderr) => {
      exitCode = error ? ((error as { code?: number }).code ?? 1) : 0;
      output = `${stdout}\n${stderr}`;
      resolve();
    });
  });
  runDir = path.join(outDir, (await readdir(outDir)).find((name) => name.startsWith("lab-"))!);
  results = JSON.parse(await readFile(path.join(runDir, "lab.json"), "utf8")) as LabResults;
}, 260_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe("pnpm bench:lab --quick", () => {
  it("exits 0: no event lost, duplicated or out of order in any row", () => {
    expect(exitCode, output).toBe(0);
  });

  it("ramps each transport in steps, every event delivered once, and reports the last passing step", () => {
    expect(results.ramp!.map((ramp) => ramp.scenario)).toEqual(["bare-ws", "bare-sse"]);
    for (const ramp of results.ramp!) {
      expect(ramp.steps.length).toBeGreaterThan(0);
      for (const step of ramp.steps) {
        expect(step.row.ok, step.row.error).toBe(true);
        expect(step.row.windowDeliveries).toBeGreaterThan(0);
        expect(step.row.lost).toBe(0);
        expect(step.row.duplicates).toBe(0);
        expect(step.row.outOfOrder).toBe(0);
      }
      const passing = ramp.steps.filter((step) => step.pass);
      expect(ramp.ceilingPerSec).toBe(passing.length > 0 ? passing.at(-1)!.row.deliveriesPerSec : null);
      // A ramp stops at its first step over the bound.
      const firstFail = ramp.steps.findIndex((step) => !step.pass);
      if (firstFail >= 0) expect(firstFail).toBe(ramp.steps.length - 1);
    }
  });

  it("opens the idle connections asked for and reports memory per connection (short polling holds none)", () => {
    const sse = results.idle!.find((row) => row.scenario === "bare-sse")!;
    expect(sse.idle?.opened).toBe(50);
    expect(sse.idle?.failed).toBe(0);
    expect(sse.idle?.heapUsedPerConnKiB).toBeGreaterThan(0);
    expect(sse.idle?.serverConnections.after).toBeGreaterThanOrEqual(50);
    expect(sse.idle?.loadgenRssMiB).toBeGreaterThan(0);
    expect(results.idle!.find((row) => row.scenario === "polling")?.idle).toBeNull();
    expect(results.limits.openFilesSoft).toBeGreaterThan(0);
  });

  it("measures cost at each subscriber count with every event delivered once", () => {
    expect(results.cost!.map((entry) => entry.subscribers)).toEqual([5, 20]);
    for (const { row } of results.cost!) {
      expect(row.ok, row.error).toBe(true);
      expect(row.subscribers).toBeGreaterThan(0);
      expect(row.lost + row.duplicates + row.outOfOrder).toBe(0);
      expect(row.cpuMsPer1k).toBeGreaterThan(0);
      expect(row.bytesPerMsg).toBeGreaterThan(0);
    }
  });

  it("brings every storm client back after the restart, each with every event once, without jitter on the fixed schedule", () => {
    expect(results.storm!.map((row) => row.jitter)).toEqual([true, false]);
    for (const row of results.storm!) {
      expect(row.ok, row.error).toBe(true);
      expect(row.opened).toBe(100);
      expect(row.allBackMs).not.toBeNull();
      expect(row.backCount).toBe(100);
      expect(row.published).toBeGreaterThan(20);
      expect(row.lost).toBe(0);
      expect(row.duplicates).toBe(0);
      expect(row.resets).toBe(0);
      // Counted by the restarted process: every client reached it at least once.
      expect(row.requests.reduce((sum, value) => sum + value, 0)).toBeGreaterThanOrEqual(100);
      expect(row.peakRequests).toBe(Math.max(...row.requests));
    }
    // Without jitter a client retries 500, 1,500, 3,500, 7,500 … ms after the drop: none arrives before the first of those after the restart.
    // A client notices the drop a little after the service went down (up to DROP_NOTICE_MS on a loaded CI machine), so a retry due
    // just before the downtime ends may land just after the restart: that retry counts as the first one due (CI saw a downtime of 3,523 ms).
    const DROP_NOTICE_MS = 500;
    const fixed = results.storm!.find((row) => !row.jitter)!;
    const due = [500, 1500, 3500, 7500, 15_500, 31_500].find((ms) => ms + DROP_NOTICE_MS >= fixed.downtimeMs)!;
    const firstArrival = fixed.requests.findIndex((value) => value > 0) * fixed.bucketMs;
    expect(firstArrival).toBeGreaterThanOrEqual(due - fixed.downtimeMs - 2 * fixed.bucketMs);
  });

  it("opens seven SSE streams in Chromium: six of seven receive over HTTP/1.1, seven of seven through the HTTP/2 TLS nginx", () => {
    const h1 = results.h2!.find((row) => row.mode === "http1")!;
    const h2 = results.h2!.find((row) => row.mode === "h2")!;
    expect(h1.ok, h1.error).toBe(true);
    expect(h2.ok, h2.error).toBe(true);
    expect(h1.protocol).toBe("http/1.1");
    expect(h1.received).toEqual([1, 1, 1, 1, 1, 1, 0]);
    expect(h1.seventhFirstEventMs).toBeNull();
    expect(h2.protocol).toBe("h2");
    expect(h2.received).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(h2.seventhFirstEventMs).toBeLessThan(h2.waitMs);
    expect(output).toContain("h2 h2");
  });

  it("draws the charts with Vega (valid SVG with the expected marks) and writes docs/transports.md from the JSON", async () => {
    const marks: Record<string, string[]> = {
      "fanout-ramp": ["mark-line", "mark-symbol", "mark-rule"],
      "fanout-ceiling": ["mark-rect"],
      "idle-memory": ["mark-rect"],
      "cost-latency": ["mark-line"],
      "cost-cpu": ["mark-line"],
      "cost-bytes": ["mark-line"],
      "reconnect-storm-websocket": ["mark-line"],
    };
    for (const [name, expected] of Object.entries(marks)) {
      const svg = await readFile(path.join(runDir, `${name}.svg`), "utf8");
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), name).toBe(true);
      expect(svg.trimEnd().endsWith("</svg>"), name).toBe(true);
      // Vega's scenegraph renderer tags every mark group by type and role.
      expect(svg).toContain('class="marks"');
      for (const mark of expected) expect(svg, `${name} has ${mark}`).toContain(`class="${mark} role-mark`);
      expect(await readFile(path.join(outDir, "docs/transports", `${name}.svg`), "utf8")).toBe(svg);
    }
    const doc = await readFile(path.join(outDir, "docs/transports.md"), "utf8");
    for (const feature of ["Communication", "Efficiency", "Latency", "Server load", "Complexity", "Browser support", "Best for"]) expect(doc).toContain(`### ${feature}`);
    expect(doc).toContain("![Fan-out ceiling");
    expect(doc).toContain("pnpm bench:lab --quick");
    expect(doc).toContain("![Reconnect storm (websocket, 100 clients)");
    const storm = JSON.parse(await readFile(path.join(outDir, "docs/transports/reconnect-storm.json"), "utf8")) as { rows: Array<{ peakRequests: number }> };
    expect(storm.rows.map((row) => row.peakRequests)).toEqual(results.storm!.map((row) => row.peakRequests));
    expect(doc).toContain(`**${results.storm![1]!.peakRequests} requests in its busiest 100 ms**`);
    const sse = results.idle!.find((row) => row.scenario === "bare-sse")!.idle!;
    expect(doc).toContain(sse.heapUsedPerConnKiB.toFixed(2));
    expect(doc).toContain("**6 of 7 streams received**");
    expect(doc).toContain("**7 of 7**");
    expect(doc).not.toContain("**pending**");
  });
});

describe("lab verdicts and complexity", () => {
  it("fails a ramp step that lost or duplicated events even within the latency bound", () => {
    const row = { ok: true, lost: 1, duplicates: 2, outOfOrder: 0, latency: { p99: 5 } } as RowResult;
    expect(stepVerdict(row, 100)).toBe("1 lost, 2 duplicated");
    expect(stepVerdict({ ...row, lost: 0, duplicates: 0 }, 100)).toBe("");
    expect(stepVerdict({ ...row, lost: 0, duplicates: 0, latency: { ...row.latency, p99: 101 } }, 100)).toContain("p99");
  });

  it("merges a storm-only run into a full one: its rows and its storm options, the other sections keep theirs", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "switchboard-lab-merge-"));
    try {
      const base = { kind: "switchboard-lab", command: "pnpm bench:lab --scenarios ramp", options: { rampRates: [50, 100], stormClients: 5 }, ramp: [], storm: [{ jitter: true, old: true }] };
      const storm = { kind: "switchboard-lab", command: "pnpm bench:lab --scenarios storm", options: { rampRates: [100, 200], stormClients: 1000 }, storm: [{ jitter: true }, { jitter: false }] };
      await writeFile(path.join(dir, "base.json"), JSON.stringify(base));
      await writeFile(path.join(dir, "storm.json"), JSON.stringify(storm));
      const merged = await loadLabResults([path.join(dir, "base.json"), path.join(dir, "storm.json")]);
      expect(merged.options.rampRates).toEqual([50, 100]);
      expect(merged.options.stormClients).toBe(1000);
      expect(merged.storm).toEqual(storm.storm);
      expect(merged.ramp).toEqual([]);
      expect(merged.command).toBe("pnpm bench:lab --scenarios ramp && pnpm bench:lab --scenarios storm");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("merges an h2-only run into a full one: its rows only, every other section and option kept", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "switchboard-lab-merge-"));
    try {
      const base = { kind: "switchboard-lab", command: "pnpm bench:lab --scenarios ramp,storm", options: { rampRates: [50, 100], stormClients: 5 }, ramp: [], storm: [{ jitter: true }] };
      const h2 = { kind: "switchboard-lab", command: "pnpm bench:lab --scenarios h2", options: { rampRates: [5, 10], stormClients: 1000 }, h2: [{ mode: "http1" }, { mode: "h2" }] };
      await writeFile(path.join(dir, "base.json"), JSON.stringify(base));
      await writeFile(path.join(dir, "h2.json"), JSON.stringify(h2));
      const merged = await loadLabResults([path.join(dir, "base.json"), path.join(dir, "h2.json")]);
      expect(merged.options).toEqual(base.options);
      expect(merged.h2).toEqual(h2.h2);
      expect(merged.storm).toEqual(base.storm);
      expect(merged.ramp).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("finds the code of every listed failure mode in the repository", async () => {
    const complexity = await measureComplexity(repoRoot);
    expect(complexity.map((entry) => entry.scenario).sort()).toEqual(["long-polling", "polling", "sse", "websocket"]);
    for (const entry of complexity) {
      expect(entry.server.ownCode).toBeGreaterThan(10);
      expect(entry.client.ownCode).toBeGreaterThan(10);
      for (const mode of entry.failureModes) expect(mode.line, `${entry.scenario}: ${mode.mode} in ${mode.file}`).not.toBeNull();
    }
  });
});
