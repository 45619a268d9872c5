/**
 * `pnpm bench:fallback`: how long a client wanting WebSocket takes to be open
 * on SSE when a proxy blocks the WebSocket upgrade. The real service runs as
 * its own process (src/index.ts, in-memory PGlite) behind a real nginx that
 * drops the Upgrade/Connection headers (@repo/nginx `websocket-blocked`).
 * `--clients` (50) SDK clients with the fallback chain on (its defaults: two
 * failed opens while /healthz answers, full-jitter backoff between them),
 * each its own signed-in user following its echo topic, `--concurrency` (10)
 * at a time. Time from creating the client to status `open`, three ways:
 *
 * - cold: nothing remembered (the first page load behind that proxy);
 * - remembered: the browser memory says WebSocket was blocked, SSE worked;
 * - direct SSE: a client asking for SSE straight away through the same
 *   proxy (the floor the remembered start should reach).
 *
 * Writes bench/results/fallback-<time>.json and .md (or into --out).
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createClient, memoryFallbackMemory, type FallbackMemory } from "@repo/client";
import { nginxAvailable, startNginx } from "@repo/nginx";
import { HTTP_PATHS, SessionResponse, echoTopic } from "@repo/protocol";
import { PACKAGE_DIR } from "../run-row";
import { summarize, type LatencySummary } from "../stats";

const REPO_ROOT = path.resolve(PACKAGE_DIR, "../..");
const { values: flags } = parseArgs({
  options: {
    clients: { type: "string", default: "50" },
    concurrency: { type: "string", default: "10" },
    out: { type: "string", default: path.join(REPO_ROOT, "bench/results") },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log("pnpm bench:fallback [--clients 50] [--concurrency 10] [--out bench/results]");
  process.exit(0);
}
const CLIENTS = positiveInt(flags.clients, "--clients");
const CONCURRENCY = positiveInt(flags.concurrency, "--concurrency");
const OPEN_TIMEOUT_MS = 30_000;

function positiveInt(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer, not "${text}"`);
  return value;
}

async function startService(): Promise<{ baseUrl: string; stop: () => void }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/index.ts"], {
    cwd: path.join(REPO_ROOT, "apps/realtime"),
    // Every client signs in and connects from 127.0.0.1 (through nginx): per-address limits raised.
    // NODE_ENV=test lets the service run on the public dev secret (unset counts as production).
    env: {
      NODE_ENV: "test",
      RATE_LIMIT_SESSION: "10000/1m",
      RATE_LIMIT_POLL: "1000/1s",
      RATE_LIMIT_SUBSCRIBE: "1000/1s",
      RATE_LIMIT_TICKET: "10000/1m",
      MAX_CONNECTIONS_PER_IP: "10000",
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      PGLITE_DIR: "memory",
      LOG_LEVEL: "info",
      DATABASE_URL: "",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start:\n${output}`)), 60_000);
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/i.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on("exit", (code) => reject(new Error(`the service exited (${code}):\n${output}`)));
  });
  child.stdout.resume();
  return { baseUrl, stop: () => child.kill("SIGTERM") };
}

async function signIn(baseUrl: string, name: string) {
  const response = await fetch(`${baseUrl}${HTTP_PATHS.session}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (response.status !== 201) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return SessionResponse.parse(await response.json());
}

interface Sample {
  ms: number;
  transport: string;
}

/** One client: created, subscribed, and timed until open; then closed. */
async function timeToOpen(url: string, user: SessionResponse, transport: string, memory?: FallbackMemory): Promise<Sample> {
  const client = createClient({ url, transport, auth: { token: user.token }, ...(memory ? { fallback: { memory } } : {}) });
  const startedAt = performance.now();
  try {
    client.subscribe(echoTopic(user.user.id), () => {}, { cursor: null });
    await client.whenOpen(OPEN_TIMEOUT_MS);
    return { ms: performance.now() - startedAt, transport: client.transportInUse };
  } finally {
    client.close();
  }
}

async function inBatches<T, R>(items: T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += CONCURRENCY) results.push(...(await Promise.all(items.slice(start, start + CONCURRENCY).map(run))));
  return results;
}

interface Row {
  mode: string;
  latency: LatencySummary;
  /** Clients that ended on another transport than SSE. */
  elsewhere: number;
}

function row(mode: string, samples: Sample[]): Row {
  return { mode, latency: summarize(samples.map((sample) => sample.ms)), elsewhere: samples.filter((sample) => sample.transport !== "sse").length };
}

if (!nginxAvailable()) {
  console.error("bench:fallback needs nginx at /usr/sbin/nginx (bash scripts/ensure-nginx.sh)");
  process.exit(1);
}
const service = await startService();
const proxy = await startNginx({ upstream: service.baseUrl, config: "websocket-blocked" });
console.log(`fallback bench: service at ${service.baseUrl}, nginx (websocket-blocked) at ${proxy.url}; ${CLIENTS} clients, ${CONCURRENCY} at a time`);
let rows: Row[];
try {
  const users = await inBatches(
    Array.from({ length: CLIENTS }, (_, i) => i),
    (i) => signIn(service.baseUrl, `Fallback ${i + 1}`),
  );
  const memories = users.map(() => memoryFallbackMemory());
  const indexes = users.map((_, i) => i);
  const cold = await inBatches(indexes, (i) => timeToOpen(proxy.url, users[i]!, "websocket", memories[i]));
  console.log(`  cold: ${cold.length} clients`);
  const remembered = await inBatches(indexes, (i) => timeToOpen(proxy.url, users[i]!, "websocket", memories[i]));
  console.log(`  remembered: ${remembered.length} clients`);
  const direct = await inBatches(indexes, (i) => timeToOpen(proxy.url, users[i]!, "sse"));
  console.log(`  direct SSE: ${direct.length} clients`);
  rows = [row("cold (WebSocket blocked, nothing remembered)", cold), row("remembered (starts on SSE)", remembered), row("direct SSE (no fallback)", direct)];
} finally {
  await proxy.stop();
  service.stop();
}

const lines = [
  `Fallback time through nginx with the WebSocket upgrade blocked: ${CLIENTS} clients, ${CONCURRENCY} at a time; client created → open.`,
  "",
  "| start | clients | p50 ms | p99 ms | max ms | not on SSE |",
  "|---|---:|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.mode} | ${r.latency.samples} | ${r.latency.p50.toFixed(0)} | ${r.latency.p99.toFixed(0)} | ${r.latency.max.toFixed(0)} | ${r.elsewhere} |`),
];
console.log(`\n${lines.join("\n")}`);
await mkdir(flags.out, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const file = path.join(flags.out, `fallback-${stamp}`);
await writeFile(`${file}.json`, `${JSON.stringify({ clients: CLIENTS, concurrency: CONCURRENCY, rows }, null, 2)}\n`);
await writeFile(`${file}.md`, `${lines.join("\n")}\n`);
console.log(`\nWrote ${file}.json and .md`);
