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

describe("pnpm bench --flood", () => {
  it("runs a tiny session flood and subscribe flood and reports both windows, the ratios and the attacker's outcome", async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), "switchboard-bench-flood-"));
    const args = [
      "--import",
      "tsx",
      "src/cli/bench.ts",
      "--quick",
      "--transports",
      "none",
      "--flood",
      "session,subscribe",
      "--subscribers",
      "4",
      "--warmup",
      "0",
      "--duration",
      "1",
      // A subscribe flood small enough not to block the server: this checks the report, not the server.
      "--flood-sockets",
      "1",
      "--flood-packets",
      "2",
      "--out",
      outDir,
    ];
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, args, { cwd: packageDir, timeout: 170_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(output).toContain("Flood ÷ no flood");

    const files = await readdir(outDir);
    const jsonFile = files.find((file) => file.endsWith(".json"));
    const mdFile = files.find((file) => file.endsWith(".md"));
    expect(jsonFile).toBeDefined();
    expect(mdFile).toBeDefined();
    const results = JSON.parse(await readFile(path.join(outDir, jsonFile!), "utf8")) as BenchResults;
    expect(results.rows).toEqual([]);
    expect(results.floods?.map((flood) => flood.kind)).toEqual(["session", "subscribe"]);

    for (const flood of results.floods!) {
      expect(flood.ok, flood.error).toBe(true);
      expect(flood.groups).toEqual([
        { scenario: "websocket", subscribers: 2 },
        { scenario: "sse", subscribers: 2 },
      ]);
      for (const window of [flood.calm!, flood.flood!]) {
        expect(window.expected).toBeGreaterThan(0);
        expect(window.latency.samples).toBe(window.expected);
        expect(window.groups.map((group) => group.scenario)).toEqual(["websocket", "sse"]);
        expect(window.peakRssMiB).toBeGreaterThan(0);
        expect(window.startRssMiB).toBeGreaterThan(0);
        expect(typeof window.longestStallMs).toBe("number");
      }
      expect(flood.calm!.lost).toBe(0);
      expect(flood.ratios).toBeDefined();
      expect(flood.serverHighWaterMiB).toBeGreaterThanOrEqual(flood.flood!.peakRssMiB);
    }

    const [session, subscribe] = results.floods!;
    const requests = session!.attacker!.requests!;
    expect(requests.sent).toBeGreaterThan(0);
    const answered = Object.values(requests.byStatus).reduce((sum, count) => sum + count, 0);
    expect(answered + requests.errors).toBe(requests.sent);
    // Sessions created are counted in the database, and never exceed the 201 answers.
    expect(session!.attacker!.created!.sessions).toBe(requests.byStatus["201"] ?? 0);

    const sockets = subscribe!.attacker!.sockets!;
    expect(subscribe!.attacker!.signIns.attempted).toBe(1);
    expect(sockets.opened).toBe(1);
    expect(sockets.packetsSent).toBe(2);
    expect(sockets.closedByServer + sockets.stillOpen).toBe(1);

    const markdown = await readFile(path.join(outDir, mdFile!), "utf8");
    expect(markdown).toContain("## Floods");
    expect(markdown).toContain("Subscribe flood");
  });
});
