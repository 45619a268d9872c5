/**
 * `pnpm bench:notify`: what notifications cost, per transport, on the real
 * service (its own process, default features, in-memory PGlite, pinned to
 * CPU 0; this process, holding every client, on CPU 1).
 *
 * - Broadcast fan-out: `--users` (1,000) signed-in users, each with one SDK
 *   client on the transport following `notify:<id>` and `notify:broadcast`
 *   (what the web app's badge follows). The operator POSTs `--broadcasts` (3)
 *   broadcasts; for each user the time from the POST to its arrival is a
 *   sample. Reported: p50, p99 and the last delivery (the slowest broadcast's
 *   slowest user), users missed and copies doubled.
 * - Database cost of a broadcast: rows inserted, updated and deleted in every
 *   table between just before the POST and after the last delivery (by `xmin`,
 *   see notify/service-process.ts).
 * - Mention to badge: Ada (WebSocket) writes `@<name>` in a room; the time until
 *   the mentioned user's client on the transport has `notification.created`
 *   (which carries the new unread count the badge shows). Paced under chat's
 *   rate limit.
 *
 * Writes bench/results/notify-<time>.json and .md (or into --out).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { createClient } from "@repo/client";
import {
  BroadcastResponse,
  HTTP_PATHS,
  NOTIFY_EVENTS,
  NotifyEvent,
  SessionResponse,
  TRANSPORT_NAMES,
  notificationsPaths,
  notifyTopic,
  type TransportName,
} from "@repo/protocol";
import { ChildHandle } from "../ipc";
import { Audience, type Listener } from "../notify/audience";
import type { NotifyServiceApi } from "../notify/service-process";
import { PACKAGE_DIR, pinToCpu } from "../run-row";
import { summarize, type LatencySummary } from "../stats";

const { values: flags } = parseArgs({
  options: {
    users: { type: "string", default: "1000" },
    broadcasts: { type: "string", default: "3" },
    mentions: { type: "string", default: "10" },
    transports: { type: "string", default: TRANSPORT_NAMES.join(",") },
    out: { type: "string", default: path.resolve(PACKAGE_DIR, "../../bench/results") },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log("pnpm bench:notify [--users 1000] [--broadcasts 3] [--mentions 10] [--transports polling,long-polling,sse,websocket] [--out bench/results]");
  process.exit(0);
}
const USERS = positiveInt(flags.users, "--users");
const BROADCASTS = positiveInt(flags.broadcasts, "--broadcasts");
const MENTIONS = positiveInt(flags.mentions, "--mentions");
const TRANSPORTS = flags.transports.split(",").map((name) => {
  const transport = TRANSPORT_NAMES.find((known) => known === name);
  if (!transport) throw new Error(`--transports: unknown transport "${name}" (known: ${TRANSPORT_NAMES.join(", ")})`);
  return transport;
});
const OPERATOR_TOKEN = `bench-operator-${"x".repeat(32)}`;
const DELIVERY_TIMEOUT_MS = 30_000;
/** Under chat.send's limit of 10 per 10 s; the random part samples every phase of the short-poll interval. */
const MENTION_SPACING_MS = 1050;
const SPACING_JITTER_MS = 1000;

function positiveInt(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer, not "${text}"`);
  return value;
}

async function post(url: string, body: unknown, token?: string): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function signIn(url: string, name: string) {
  return SessionResponse.parse(await post(`${url}${HTTP_PATHS.session}`, { name }));
}

async function signInMany(url: string, count: number): Promise<Listener[]> {
  const listeners: Listener[] = [];
  for (let start = 0; start < count; start += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, count - start) }, (_, i) => signIn(url, `Listener ${start + i + 1}`)),
    );
    listeners.push(...batch.map((session) => ({ userId: session.user.id, token: session.token })));
    if (listeners.length % 250 === 0 || listeners.length === count) console.log(`  signed in ${listeners.length}/${count} users`);
  }
  return listeners;
}

interface BroadcastRow {
  transport: TransportName;
  users: number;
  broadcasts: number;
  latency: LatencySummary;
  /** The slowest broadcast's last delivery. */
  lastMs: number;
  missed: number;
  doubled: number;
  rowsWritten: number[];
  tablesWritten: Record<string, number>;
}

async function measureBroadcasts(
  service: ChildHandle<NotifyServiceApi>,
  url: string,
  transport: TransportName,
  listeners: Listener[],
): Promise<BroadcastRow> {
  const audience = new Audience(url, transport);
  const samples: number[] = [];
  const rowsWritten: number[] = [];
  let tablesWritten: Record<string, number> = {};
  let lastMs = 0;
  let missed = 0;
  try {
    await audience.open(listeners, (opened) => {
      if (opened % Math.max(1, Math.floor(listeners.length / 4)) === 0) console.log(`  ${transport}: ${opened}/${listeners.length} clients open`);
    });
    await sleep(1500); // every poller has polled at the live end at least once
    for (let n = 1; n <= BROADCASTS; n++) {
      const title = `bench ${transport} ${n} ${Date.now()}`;
      const mark = await service.call("markWrites", undefined);
      const sentAt = performance.now();
      BroadcastResponse.parse(await post(`${url}${notificationsPaths.broadcast}`, { title, body: "One event and one row, whatever the audience." }, OPERATOR_TOKEN));
      const deadline = sentAt + DELIVERY_TIMEOUT_MS;
      while (audience.arrivalsOf(title).length < listeners.length && performance.now() < deadline) await sleep(20);
      const arrivals = audience.arrivalsOf(title);
      const latencies = arrivals.map((at) => at - sentAt);
      samples.push(...latencies);
      missed += listeners.length - arrivals.length;
      const last = Math.max(...latencies);
      lastMs = Math.max(lastMs, last);
      tablesWritten = await service.call("writtenSince", { mark });
      const written = Object.values(tablesWritten).reduce((sum, rows) => sum + rows, 0);
      rowsWritten.push(written);
      console.log(
        `  ${transport}: broadcast ${n}/${BROADCASTS} reached ${arrivals.length}/${listeners.length} users, last after ${last.toFixed(0)} ms; ${written} row(s) written`,
      );
      await sleep(500 + Math.random() * SPACING_JITTER_MS);
    }
  } finally {
    audience.close();
  }
  await sleep(1000); // let the closed connections go before the next transport
  return { transport, users: listeners.length, broadcasts: BROADCASTS, latency: summarize(samples), lastMs, missed, doubled: audience.doubled, rowsWritten, tablesWritten };
}

interface MentionRow {
  transport: TransportName;
  latency: LatencySummary;
  lost: number;
}

async function measureMentions(url: string, transport: TransportName, index: number): Promise<MentionRow> {
  const [ada, reader] = await Promise.all([signIn(url, `Ada ${index}`), signIn(url, `Reader${index}`)]);
  const sender = createClient({ url, transport: "websocket", auth: { token: ada.token } });
  const receiver = createClient({ url, transport, auth: { token: reader.token } });
  const waiting = new Map<string, (at: number) => void>();
  try {
    const { room } = await sender.send({ type: "chat.createRoom", payload: { name: `mentions ${transport} ${Date.now()}` } });
    await receiver.send({ type: "chat.join", payload: { roomId: room.id } });
    receiver.subscribe(notifyTopic(reader.user.id), (envelope) => {
      const event = NotifyEvent.safeParse(envelope);
      if (!event.success || event.data.type !== NOTIFY_EVENTS.notificationCreated) return;
      const { notification } = event.data.payload;
      if (notification.kind === "mention") waiting.get(notification.excerpt)?.(performance.now());
    });
    await receiver.whenOpen();
    await sleep(300);
    const samples: number[] = [];
    for (let i = 1; i <= MENTIONS; i++) {
      const text = `@Reader${index} ping ${i}`;
      const arrived = new Promise<number>((resolve) => waiting.set(text, resolve));
      const sentAt = performance.now();
      await sender.send({ type: "chat.send", payload: { roomId: room.id, text } });
      const latency = (await Promise.race([arrived, sleep(10_000).then(() => Number.NaN)])) - sentAt;
      samples.push(latency);
      console.log(`  ${transport}: mention ${i}/${MENTIONS}: ${latency.toFixed(1)} ms`);
      await sleep(MENTION_SPACING_MS + Math.random() * SPACING_JITTER_MS);
    }
    const received = samples.filter((s) => !Number.isNaN(s));
    return { transport, latency: summarize(received), lost: samples.length - received.length };
  } finally {
    sender.close();
    receiver.close();
  }
}

function render(broadcasts: BroadcastRow[], mentions: MentionRow[]): string {
  const ms = (value: number) => (Number.isNaN(value) ? "–" : value.toFixed(0));
  return [
    `### One broadcast reaching ${USERS.toLocaleString("en")} connected users (${BROADCASTS} broadcasts per transport)`,
    "",
    "| transport | deliveries | p50 ms | p99 ms | last delivery ms | missed | doubled | rows written per broadcast |",
    "|---|---:|---:|---:|---:|---:|---:|---|",
    ...broadcasts.map(
      (r) =>
        `| ${r.transport} | ${r.latency.samples} | ${ms(r.latency.p50)} | ${ms(r.latency.p99)} | ${ms(r.lastMs)} | ${r.missed} | ${r.doubled} | ${r.rowsWritten.join(", ")} (${Object.entries(r.tablesWritten).map(([table, rows]) => `${table}: ${rows}`).join(", ") || "none"}) |`,
    ),
    "",
    `### Mention to badge (${MENTIONS} mentions per transport; the sender on WebSocket)`,
    "",
    "| transport | mentions | p50 ms | p95 ms | max ms | lost |",
    "|---|---:|---:|---:|---:|---:|",
    ...mentions.map((r) => `| ${r.transport} | ${r.latency.samples} | ${ms(r.latency.p50)} | ${ms(r.latency.p95)} | ${ms(r.latency.max)} | ${r.lost} |`),
    "",
    "Short polling polls every 1,000 ms (the SDK's default), so its figures are about half an interval on average; long polling and SSE answer at once; rows written are the rows of every table whose current version a transaction after the POST wrote (inserted or updated; `xmin`).",
  ].join("\n");
}

const service = new ChildHandle<NotifyServiceApi>("notify service", path.join(PACKAGE_DIR, "src/notify/service-process.ts"), { cwd: PACKAGE_DIR });
const stopService = () => service.kill();
process.once("SIGINT", () => {
  stopService();
  process.exit(130);
});
try {
  await service.ready;
  const { url, pid } = await service.call("start", { operatorToken: OPERATOR_TOKEN, logLevel: "warn" });
  const pinned = (await Promise.all([pinToCpu(pid, 0), pinToCpu(process.pid, 1)])).every(Boolean);
  console.log(`notify bench: service at ${url}${pinned ? " (service on CPU 0, clients on CPU 1)" : ""}; ${USERS} users; transports ${TRANSPORTS.join(", ")}`);
  const listeners = await signInMany(url, USERS);
  const broadcasts: BroadcastRow[] = [];
  for (const transport of TRANSPORTS) broadcasts.push(await measureBroadcasts(service, url, transport, listeners));
  const mentions: MentionRow[] = [];
  for (const [index, transport] of TRANSPORTS.entries()) mentions.push(await measureMentions(url, transport, index + 1));
  await service.call("close", undefined);

  const markdown = render(broadcasts, mentions);
  console.log(`\n${markdown}`);
  const outDir = flags.out;
  await mkdir(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = path.join(outDir, `notify-${stamp}`);
  await writeFile(`${file}.json`, `${JSON.stringify({ users: USERS, broadcasts, mentions }, null, 2)}\n`);
  await writeFile(`${file}.md`, `${markdown}\n`);
  console.log(`\nWrote ${file}.json and .md`);
} finally {
  await service.stop();
}
