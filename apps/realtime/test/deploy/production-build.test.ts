// The production path: `pnpm build` bundles the service to dist/index.js, and `pnpm start`
// runs it with plain node (no tsx). Builds once, then starts the bundle on PGlite (the default)
// and on PostgreSQL + Redis, and checks it does real work: readiness, a session, and a command
// whose event comes back over a long poll.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { IN_CI, postgresEngine, probePostgres, type Engine } from "@repo/db/testing";
import { PollResponse } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { REDIS_URL } from "../scale/support/redis-instances";

const SERVICE_DIR = fileURLToPath(new URL("../..", import.meta.url));
const BUNDLE = path.join(SERVICE_DIR, "dist/index.js");
const START_SCRIPT = (JSON.parse(readFileSync(path.join(SERVICE_DIR, "package.json"), "utf8")) as { scripts: { start: string } })
  .scripts.start;

/** `pnpm start`'s command line, run directly: pnpm would put its own wrapper process in between. */
function startArgs(): string[] {
  const [command, ...args] = START_SCRIPT.split(" ");
  expect(command).toBe("node");
  return args;
}

interface Bundle {
  child: ChildProcess;
  baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

async function startBundle(extra: Record<string, string>): Promise<Bundle> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    SESSION_SECRET: "production-build-test-secret-0123456789abcdef",
    PORT: "0",
    HOST: "127.0.0.1",
    PGLITE_DIR: "memory",
    LOG_LEVEL: "info",
    COOKIE_SECURE: "false",
    ...extra,
  };
  // A loader could come in through NODE_OPTIONS (vitest's own workers never need one here).
  delete env.NODE_OPTIONS;
  if (!extra.DATABASE_URL) delete env.DATABASE_URL;
  if (!extra.REDIS_URL) delete env.REDIS_URL;
  const child = spawn(process.execPath, startArgs(), { cwd: SERVICE_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bundle did not start:\n${output}`)), 30_000);
    child.stdout.on("data", () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`the bundle exited (${code}) before listening:\n${output}`)));
  });
  return {
    child,
    baseUrl,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

beforeAll(() => {
  const build = spawnSync(process.execPath, ["--import", "tsx", "scripts/build.ts"], { cwd: SERVICE_DIR, encoding: "utf8" });
  expect(build.status, build.stderr).toBe(0);
});

describe("the compiled service (pnpm build, then pnpm start) on PGlite", () => {
  let bundle: Bundle;
  beforeAll(async () => {
    bundle = await startBundle({});
  }, 60_000);
  afterAll(() => bundle?.stop());

  test("runs dist/index.js on plain node: no tsx on the command line, in the environment or in the bundle", () => {
    const cmdline = readFileSync(`/proc/${bundle.child.pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    expect(cmdline).toEqual([process.execPath, ...startArgs()]);
    expect(cmdline.join(" ")).not.toMatch(/tsx/);
    expect(readFileSync(`/proc/${bundle.child.pid}/environ`, "utf8")).not.toMatch(/NODE_OPTIONS=[^\0]*tsx/);
    const code = readFileSync(BUNDLE, "utf8");
    expect(code).not.toMatch(/from ["']tsx/);
    // The workspace packages are inside the bundle, not imported as TypeScript.
    expect(code).not.toMatch(/from ["']@repo\//);
  });

  test("is ready with its database, and a command's event comes back over a long poll", async () => {
    const { baseUrl } = bundle;
    const ready = await fetch(`${baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", database: "ok" });

    const session = await fetch(`${baseUrl}/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Compiled" }),
    });
    expect(session.status).toBe(201);
    const { token, user } = (await session.json()) as { token: string; user: { id: string } };
    const auth = { authorization: `Bearer ${token}` };

    const poll = fetch(`${baseUrl}/v1/long-poll?cursor=echo:${user.id}@&timeout=10000`, { headers: auth });
    const sent = await fetch(`${baseUrl}/v1/commands`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ id: "compiled-echo-0001", type: "echo", payload: { text: "from dist" } }),
    });
    expect(sent.status).toBe(200);
    const answer = PollResponse.parse(await (await poll).json());
    expect(answer.events.map((event) => event.payload)).toEqual([{ text: "from dist", from: user.id }]);
    // The migrations were found from the bundle (prisma/migrations), and the flags file too (it started).
    expect(bundle.output()).toMatch(/\d+ migration\(s\) applied, 0 already up to date/);
  });
});

const unreachable = await probePostgres();
describe.skipIf(unreachable !== null && !IN_CI)("the compiled service on PostgreSQL and Redis", () => {
  let engine: Engine;
  let bundle: Bundle;
  beforeAll(async () => {
    engine = await postgresEngine();
    bundle = await startBundle({ DATABASE_URL: engine.url!, REDIS_URL });
  }, 60_000);
  afterAll(async () => {
    await bundle?.stop();
    await engine?.teardown();
  });

  test("migrates its database and is ready with both", async () => {
    const ready = await fetch(`${bundle.baseUrl}/readyz`);
    expect(await ready.json()).toEqual({ status: "ready", database: "ok", redis: "ok" });
    expect(ready.status).toBe(200);
    expect(bundle.output()).toContain("database: PostgreSQL at");
    expect(bundle.output()).toContain("hub on Redis");
  });
});
