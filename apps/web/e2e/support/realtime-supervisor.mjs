// The realtime service for the browser tests, restartable on request.
//
// Why a supervisor: one test restarts the service mid-conversation (a message sent while it
// is down must arrive exactly once after it is back). Playwright owns its webServer
// processes and cannot restart one, and the web app's realtime URL is baked in at build time
// (and pinned in its Content-Security-Policy), so a second instance on another port would not
// be reachable from the pages. So Playwright starts this script instead of the service:
//
// - it runs `src/index.ts` of apps/realtime as a child process (node + tsx, no pnpm wrapper,
//   so signals reach the service itself) on PORT, with PGlite in a temporary folder, so
//   users, rooms and messages survive a restart, as they would with a real database;
// - it listens on 127.0.0.1:REALTIME_CONTROL_PORT for `POST /stop` (SIGTERM, wait for a
//   clean exit), `POST /start` (spawn, wait for /healthz) and `POST /restart`;
// - on SIGTERM/SIGINT (Playwright's shutdown) it stops the service and deletes the folder;
// - it raises the per-address rate limits (RATE_LIMIT_*): every test comes from one address.
//
// Tests run one at a time (workers: 1), so a restart never pulls the service from under
// another test.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REALTIME_DIR = fileURLToPath(new URL("../../../realtime/", import.meta.url));
const PORT = process.env.PORT ?? "4000";
const CONTROL_PORT = Number(process.env.REALTIME_CONTROL_PORT ?? "4001");
const HEALTH_URL = `http://127.0.0.1:${PORT}/healthz`;
const dataDir = mkdtempSync(path.join(tmpdir(), "switchboard-e2e-pglite-"));

/** @type {import("node:child_process").ChildProcess | null} */
let child = null;
/** @type {Promise<void>} */
let exited = Promise.resolve();
let stopping = false;
let shuttingDown = false;

function log(message) {
  console.error(`[realtime-supervisor] ${message}`);
}

/**
 * Every browser test signs in and creates rooms from 127.0.0.1, many a minute:
 * the per-address limits are raised (the environment may still set its own).
 */
const RELAXED_LIMITS = {
  RATE_LIMIT_SESSION: "10000/1m",
  RATE_LIMIT_SESSION_GLOBAL: "10000/1m",
  RATE_LIMIT_TICKET: "10000/1m",
  RATE_LIMIT_POLL: "1000/1s",
  RATE_LIMIT_SUBSCRIBE: "1000/1s",
  RATE_LIMIT_ROOM: "10000/1m",
  RATE_LIMIT_ROOM_GLOBAL: "10000/1m",
};

function startService() {
  if (child) return;
  const current = spawn(process.execPath, ["--import", "tsx", "src/index.ts"], {
    cwd: REALTIME_DIR,
    // NODE_ENV=test: the service may then run with the public dev secret (it refuses to otherwise).
    env: { NODE_ENV: "test", ...RELAXED_LIMITS, ...process.env, PORT, PGLITE_DIR: dataDir },
    stdio: ["ignore", "inherit", "inherit"],
  });
  child = current;
  exited = new Promise((resolve) => {
    current.once("exit", (code, signal) => {
      if (child === current) child = null;
      if (!stopping && !shuttingDown) log(`the service exited on its own (${signal ?? `code ${code}`})`);
      resolve();
    });
  });
}

async function stopService() {
  const current = child;
  if (!current) return;
  stopping = true;
  current.kill("SIGTERM");
  const killer = setTimeout(() => current.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(killer);
  stopping = false;
}

async function waitHealthy(timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child) throw new Error("the service exited while starting");
    try {
      const response = await fetch(HEALTH_URL, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the service was not healthy within ${timeoutMs} ms`);
}

const control = createServer((request, response) => {
  const reply = (status, body) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
  const route = `${request.method} ${request.url}`;
  const actions = {
    "GET /status": async () => {},
    "POST /stop": () => stopService(),
    "POST /start": async () => {
      startService();
      await waitHealthy();
    },
    "POST /restart": async () => {
      await stopService();
      startService();
      await waitHealthy();
    },
  };
  const action = actions[route];
  if (!action) return reply(404, { error: `no route ${route}` });
  action().then(
    () => reply(200, { running: child !== null }),
    (error) => reply(500, { error: String(error) }),
  );
});

async function shutdown(signal) {
  if (shuttingDown) return;
  shuttingDown = true;
  log(`${signal}: stopping`);
  control.close();
  await stopService();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

control.listen(CONTROL_PORT, "127.0.0.1", () => startService());
