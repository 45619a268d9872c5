/**
 * `pnpm bench:chat`: delivery latency of a chat message between two people, per
 * transport. The real service runs as its own process (src/index.ts, in-memory
 * PGlite); two SDK clients per transport — A sends `chat.send`, B waits for the
 * `message.created` event — and the time from A's send to B's receipt is recorded.
 * Sends are paced under the chat rate limit (10 per 10 s per user).
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient, type RealtimeClient } from "@repo/client";
import {
  ChatHistoryResponse,
  SessionResponse,
  TRANSPORT_NAMES,
  chatPaths,
  chatTopic,
  type ChatMessage,
  type TransportName,
} from "@repo/protocol";
import { PACKAGE_DIR } from "../run-row";
import { summarize } from "../stats";

const REPO_ROOT = path.resolve(PACKAGE_DIR, "../..");
const MESSAGES = Number(process.argv.find((a) => a.startsWith("--messages="))?.split("=")[1] ?? 10);
/** Under the chat rate limit; the random part samples every phase of the short-poll interval. */
const SPACING_MS = 1050;
const SPACING_JITTER_MS = 1000;

async function startService(): Promise<{ baseUrl: string; stop: () => void }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/index.ts"], {
    cwd: path.join(REPO_ROOT, "apps/realtime"),
    // Every client signs in and polls from 127.0.0.1: per-address limits raised.
    // NODE_ENV=test lets the service run on the public dev secret (unset counts as production).
    env: {
      NODE_ENV: "test",
      RATE_LIMIT_SESSION: "10000/1m",
      RATE_LIMIT_POLL: "1000/1s",
      RATE_LIMIT_SUBSCRIBE: "1000/1s",
      RATE_LIMIT_TICKET: "10000/1m",
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
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
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
  const response = await fetch(`${baseUrl}/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  return SessionResponse.parse(await response.json());
}

async function measure(baseUrl: string, transport: TransportName) {
  const [ada, bob] = await Promise.all([signIn(baseUrl, `Ada ${transport}`), signIn(baseUrl, `Bob ${transport}`)]);
  const sender: RealtimeClient = createClient({ url: baseUrl, transport, auth: { token: ada.token } });
  const receiver: RealtimeClient = createClient({ url: baseUrl, transport, auth: { token: bob.token } });
  const { room } = await sender.send({ type: "chat.createRoom", payload: { name: `latency ${transport} ${Date.now()}` } });
  await receiver.send({ type: "chat.join", payload: { roomId: room.id } });
  const page = ChatHistoryResponse.parse(
    await (await fetch(`${baseUrl}${chatPaths.messages(room.id)}`, { headers: { authorization: `Bearer ${bob.token}` } })).json(),
  );

  const waiting = new Map<string, (at: number) => void>();
  receiver.subscribe(
    chatTopic(room.id),
    (event) => {
      if (event.type !== "message.created") return;
      const { message } = event.payload as { message: ChatMessage };
      waiting.get(message.text)?.(performance.now());
    },
    { cursor: page.position },
  );
  await receiver.whenOpen();
  await sleep(300);

  const samples: number[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const text = `ping ${transport} ${i}`;
    const received = new Promise<number>((resolve) => waiting.set(text, resolve));
    const sentAt = performance.now();
    await sender.send({ type: "chat.send", payload: { roomId: room.id, text } });
    const latency = (await Promise.race([received, sleep(10_000).then(() => Number.NaN)])) - sentAt;
    samples.push(latency);
    process.stdout.write(`  ${transport.padEnd(12)} message ${i + 1}/${MESSAGES}: ${latency.toFixed(1)} ms\n`);
    await sleep(SPACING_MS + Math.random() * SPACING_JITTER_MS);
  }
  sender.close();
  receiver.close();
  const lost = samples.filter((s) => Number.isNaN(s)).length;
  return { transport, lost, ...summarize(samples.filter((s) => !Number.isNaN(s))) };
}

const service = await startService();
console.log(
  `chat latency: service at ${service.baseUrl}; ${MESSAGES} messages per transport, one every ${SPACING_MS}-${SPACING_MS + SPACING_JITTER_MS} ms`,
);
const rows = [];
try {
  for (const transport of TRANSPORT_NAMES) rows.push(await measure(service.baseUrl, transport));
} finally {
  service.stop();
}

const lines = [
  "| transport | messages | p50 ms | p95 ms | max ms | lost |",
  "|---|---:|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.transport} | ${r.samples} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} | ${r.lost} |`),
];
console.log(`\n${lines.join("\n")}`);
const outDir = path.join(REPO_ROOT, "bench/results");
await mkdir(outDir, { recursive: true });
const file = path.join(outDir, `chat-latency-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
await writeFile(file, `${JSON.stringify({ messages: MESSAGES, spacingMs: SPACING_MS, rows }, null, 2)}\n`);
console.log(`\nWrote ${file}`);
