import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
let outDir: string | undefined;

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

interface NotifyResults {
  users: number;
  broadcasts: Array<{ transport: string; missed: number; doubled: number; rowsWritten: number[]; tablesWritten: Record<string, number>; latency: { samples: number } }>;
  mentions: Array<{ transport: string; lost: number; latency: { samples: number } }>;
}

describe("pnpm bench:notify", () => {
  it("reaches every user once per broadcast at the cost of one row, and times mentions, on the transports asked for", async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), "switchboard-notify-bench-"));
    const args = ["--import", "tsx", "src/cli/notify-bench.ts", "--users", "30", "--broadcasts", "2", "--mentions", "1", "--transports", "long-polling,websocket", "--out", outDir];
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, args, { cwd: packageDir, timeout: 150_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(output).toContain("One broadcast reaching 30 connected users");

    const files = await readdir(outDir);
    const jsonFile = files.find((file) => file.endsWith(".json"));
    expect(jsonFile).toBeDefined();
    const results = JSON.parse(await readFile(path.join(outDir, jsonFile!), "utf8")) as NotifyResults;
    expect(results.broadcasts.map((row) => row.transport)).toEqual(["long-polling", "websocket"]);
    for (const row of results.broadcasts) {
      expect(row.latency.samples).toBe(60);
      expect(row.missed).toBe(0);
      expect(row.doubled).toBe(0);
      // One broadcast, one row, whatever the audience: nothing per user.
      expect(row.rowsWritten).toEqual([1, 1]);
      expect(Object.keys(row.tablesWritten)).toEqual(["broadcasts"]);
    }
    expect(results.mentions.map((row) => [row.transport, row.latency.samples, row.lost])).toEqual([
      ["long-polling", 1, 0],
      ["websocket", 1, 0],
    ]);
  });
});
