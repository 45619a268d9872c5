// `pnpm cluster` refuses to start, with a typed error that says what to do, when what it needs
// is not there, before it builds or starts anything. The real CLI, as a process.
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { ADMIN_URL, IN_CI, probePostgres } from "@repo/db/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { REDIS_URL } from "../scale/support/redis-instances";

const DEPLOY_DIR = fileURLToPath(new URL("../../../../tooling/deploy", import.meta.url));

function runCluster(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/cluster.ts", ...args], {
      cwd: DEPLOY_DIR,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

/** A port that refuses connections: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let busy: Server;
let busyPort: number;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(() => new Promise((resolve) => busy.close(resolve)));

describe("pnpm cluster's preflight", () => {
  test("PostgreSQL unreachable: postgres_unreachable, with the address (no password) and what to do; exit 1", async () => {
    const port = await closedPort();
    const { code, output } = await runCluster(["--skip-build"], { DATABASE_URL: `postgresql://ops:s3cret@127.0.0.1:${port}/app` });
    expect(code).toBe(1);
    expect(output).toContain(`postgres_unreachable: PostgreSQL is not reachable at postgresql://ops:***@127.0.0.1:${port}/app`);
    expect(output).toContain("ECONNREFUSED");
    expect(output).not.toContain("s3cret");
    expect(output).not.toContain("starting realtime");
  }, 30_000);
});

// Past PostgreSQL (an existing database, so nothing is created), on to the next checks.
const noPostgres = await probePostgres();
describe.skipIf(noPostgres !== null && !IN_CI)("pnpm cluster's preflight, with PostgreSQL there", () => {
  test("Redis unreachable: redis_unreachable, with the cause; exit 1", async () => {
    const port = await closedPort();
    const { code, output } = await runCluster(["--skip-build"], { DATABASE_URL: ADMIN_URL, REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(code).toBe(1);
    expect(output).toContain(`redis_unreachable: Redis is not reachable at redis://127.0.0.1:${port}`);
    expect(output).toContain("ECONNREFUSED");
  }, 30_000);

  test("a port in use: port_in_use names it; exit 1", async () => {
    const { code, output } = await runCluster(["--skip-build", "--port", String(busyPort)], { DATABASE_URL: ADMIN_URL, REDIS_URL });
    expect(code).toBe(1);
    expect(output).toContain(`port_in_use: port ${busyPort} (nginx) is already in use`);
  }, 30_000);
});

test("a bad option: bad_option, before anything is checked", async () => {
  const { code, output } = await runCluster(["--instances", "0"], {});
  expect(code).toBe(1);
  expect(output).toContain('bad_option: --instances must be a whole number from 1 to 16, not "0"');
  expect(output).not.toContain("PostgreSQL at");
}, 30_000);
