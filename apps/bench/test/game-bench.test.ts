import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { GameBenchResults } from "../src/game/game-report";
import { GameBenchOptionError, parseGameOptions } from "../src/game/options";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
let outDir: string | undefined;

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

function run(args: string[], timeout: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "src/cli/game-bench.ts", ...args], { cwd: packageDir, timeout }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe("pnpm bench:game", () => {
  it("plays real games on three transports and the bare baseline, then ramps capacity, with every client in sync with the server", async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), "switchboard-game-bench-"));
    const { code, stdout, stderr } = await run(
      [
        "--quick",
        "--transports",
        "polling,long-polling,websocket",
        "--games",
        "2",
        "--duration",
        "4",
        // A faster short poll than the SDK's 1 s, so polling players get a few inputs in 4 s.
        "--poll-interval",
        "250",
        "--capacity",
        "2",
        "--step-duration",
        "2",
        "--out",
        outDir,
      ],
      170_000,
    );
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toContain("Closing note");

    const files = await readdir(outDir);
    const jsonFile = files.find((file) => file.startsWith("game-") && file.endsWith(".json"));
    expect(jsonFile).toBeDefined();
    expect(files.some((file) => file.startsWith("game-") && file.endsWith(".md"))).toBe(true);
    const results = JSON.parse(await readFile(path.join(outDir, jsonFile!), "utf8")) as GameBenchResults;

    expect(results.rows.map((row) => row.row)).toEqual(["polling", "long-polling", "websocket", "bare-socketio"]);
    for (const row of results.rows) {
      expect(row.ok, row.error).toBe(true);
      expect(row.games).toBe(2);
      expect(row.players).toBe(4);
      // Every player received states: the ticks of a 15 Hz game, applied, each tick's age measured.
      expect(row.ticksPerSec).toBeGreaterThan(10);
      expect(row.silentPlayers).toBe(0);
      expect(row.updatesPerSec).toBeGreaterThan(0);
      expect(row.tickAge.samples).toBeGreaterThan(0);
      // Own inputs timed until the tick that applied them.
      expect(row.latency.samples).toBeGreaterThan(0);
      expect(row.inputs.applied).toBe(row.latency.samples);
      expect(row.latency.p50).toBeGreaterThan(0);
      expect(row.bytesDownPerSec).toBeGreaterThan(0);
      // No desync: snapshots on the topic, any game.over, and every client's final state against the server's.
      expect(row.correctness.hashChecks).toBeGreaterThan(0);
      expect(row.correctness.desyncs).toBe(0);
      expect(row.correctness.overMismatches).toBe(0);
      expect(row.correctness.final).toEqual({ players: 4, matched: 4, mismatched: 0, unreached: 0, noState: 0 });
      expect(row.correctness.problems).toEqual([]);
      expect(row.lateness.ticks).toBeGreaterThan(0);
    }
    const [polling, longPolling, websocket] = results.rows;
    // What the transports are for: a poll per interval, a long poll per answer, no HTTP requests on a socket.
    expect(polling!.requestsPerSec).toBeGreaterThan(1);
    expect(polling!.updatesPerSec).toBeLessThan(websocket!.updatesPerSec);
    expect(longPolling!.requestsPerSec).toBeGreaterThan(websocket!.requestsPerSec);
    expect(websocket!.requestsPerSec).toBe(0);
    expect(polling!.latency.p50).toBeGreaterThan(websocket!.latency.p50);
    expect(results.ratios?.p50).toBeGreaterThan(0);

    expect(results.capacity.map((ramp) => ramp.server)).toEqual(["switchboard", "bare-socketio"]);
    for (const ramp of results.capacity) {
      expect(ramp.error).toBeUndefined();
      expect(ramp.steps).toHaveLength(1);
      expect(ramp.steps[0]!.games).toBe(2);
      expect(ramp.steps[0]!.lateness.ticks).toBeGreaterThan(0);
      expect(ramp.steps[0]!.ticksPerSec).toBeGreaterThan(10);
    }
  });

  it("refuses a bad flag with a typed error naming it, and exits 2 with the usage", async () => {
    expect(() => parseGameOptions(["--games", "0"])).toThrow(GameBenchOptionError);
    expect(() => parseGameOptions(["--transports", "carrier-pigeon"])).toThrow(/--transports: unknown transport "carrier-pigeon"/);
    expect(() => parseGameOptions(["--capacity", "10,5"])).toThrow(/steps must grow/);
    expect(() => parseGameOptions(["--lateness-ms", "7"])).toThrow(/--lateness-ms/);
    expect(() => parseGameOptions(["--humans", "6", "--bots", "3"])).toThrow(/2-8 seats/);
    expect(() => parseGameOptions(["--tick-hz", "60"])).toThrow(/--tick-hz: must be between 5 and 30/);
    expect(() => parseGameOptions(["--log-level", "loud"])).toThrow(/--log-level/);
    expect(() => parseGameOptions(["--warp"])).toThrow(GameBenchOptionError);
    expect(parseGameOptions(["--quick"])).toMatchObject({ games: 2, durationS: 4, capacitySteps: [2, 4], retries: 0, baseline: true });
    const { code, stderr } = await run(["--duration", "soon"], 30_000);
    expect(code).toBe(2);
    expect(stderr).toContain('--duration: expected a number, got "soon"');
    expect(stderr).toContain("Usage: pnpm bench:game");
  });
});
