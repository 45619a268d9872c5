import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { startNginx, type RunningNginx } from "@repo/nginx";
import { ChildHandle } from "./ipc";
import type { LoadgenApi } from "./loadgen-process";
import { BENCH_TOPIC } from "./message";
import type { BenchOptions } from "./options";
import { holdsIdleConnections, isPollLike, serverKindOf, type Scenario, type ServerKind } from "./scenarios";
import type { ServerApi } from "./server-process";
import type { LatencySummary } from "./stats";
import { processTreeCpuMs } from "./redis/process-cpu";

export const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const SERVER_SCRIPT = fileURLToPath(new URL("./server-process.ts", import.meta.url));
const LOADGEN_SCRIPT = fileURLToPath(new URL("./loadgen-process.ts", import.meta.url));

export interface IdleResult {
  requested: number;
  opened: number;
  failed: number;
  firstError?: string;
  openMs: number;
  serverConnections: { before: number; after: number };
  heapUsedPerConnKiB: number;
  /** heapUsed + external (which includes arrayBuffers): memory outside the JS heap (Buffers) shows here. */
  totalPerConnKiB: number;
  rssPerConnKiB: number;
  /** The load generator's RSS with every idle connection open (the client side of the cost). */
  loadgenRssMiB?: number;
}

export interface RowResult {
  scenario: Scenario;
  server: ServerKind;
  ok: boolean;
  error?: string;
  subscribers: number;
  windowMs: number;
  latency: LatencySummary;
  windowDeliveries: number;
  deliveriesPerSec: number;
  /** Bytes the load generator's sockets read in the window, per delivered message. */
  bytesPerMsg: number;
  /** Bytes the load generator's sockets wrote in the window (requests, acks, pongs), per delivered message. */
  upBytesPerMsg: number;
  requestsPerMsg: number;
  cpuMsPer1k: number;
  /** The same split into user (JS, libuv) and system (kernel: socket writes, loopback TCP) time. */
  cpuUserMsPer1k: number;
  cpuSystemMsPer1k: number;
  serverCpuPct: number;
  /** Server CPU ms per second with the subscribers connected and nothing published (before the warm-up). */
  idleCpuMsPerS: number;
  /** Share of the machine's CPU used by anything but the bench's server and load generator during the window (other work skews the figures). */
  otherCpuPct: number;
  loadgenCpuPct: number;
  serverHeapUsedMiB: number;
  serverRssMiB: number;
  published: number;
  expected: number;
  received: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  errors: number;
  anomalies: number;
  drained: boolean;
  idle?: IdleResult;
  emptyPoll?: { status: number; responseBytes: number; requestBytes: number } | null;
  /** Redis rows (--redis): how the service ran, and what it cost Redis and the proxy. */
  deployment?: RowDeployment["name"];
  /** Instances in the row (their CPU and memory are summed in the figures above). */
  instances?: number;
  /** Redis command calls in the window (INFO commandstats, every client of that Redis) per delivery and per published message. */
  redisCallsPerDelivery?: number;
  redisCallsPerMessage?: number;
  /** The same per published message, by command (the most called first). */
  redisCallsByCommand?: Record<string, number>;
  /** nginx's CPU (master and workers) per 1,000 deliveries, when the row runs behind it; not in cpuMsPer1k. */
  proxyCpuMsPer1k?: number;
  /**
   * An in-process reference row (--redis) at 1/N of the subscribers: the share of the audience
   * each instance of an N-instance row serves, so that its CPU per delivery is compared at the same load per process.
   */
  shareOf?: number;
}

/** A Switchboard row on Redis: one instance, or several behind nginx (round-robin, no stickiness). */
export interface RowDeployment {
  name: "redis" | "redis-2-nginx";
  instances: number;
  redisUrl: string;
  /** One PostgreSQL database the instances share (sessions must be known to all). */
  databaseUrl: string;
}

export type Progress = (scenario: Scenario, message: string) => void;

/** Children alive right now, so the orchestrator can kill them on exit or Ctrl-C. */
export const liveChildren = new Set<ChildHandle<never>>();

const IDLE_CPU_WINDOW_MS = 2000;
const KiB = 1024;
const MiB = 1024 * 1024;

function cpuMs(before: NodeJS.CpuUsage, after: NodeJS.CpuUsage): number {
  return (after.user - before.user + after.system - before.system) / 1000;
}

/** The whole machine's busy CPU time so far (all CPUs, ms). */
export function machineCpu(): { busyMs: number; at: number; cpus: number } {
  const cpus = os.cpus();
  let busyMs = 0;
  for (const cpu of cpus) busyMs += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq;
  return { busyMs, at: Date.now(), cpus: cpus.length };
}

/** Pins every thread of a process to one CPU (Linux taskset); false when that is not possible. */
export function pinToCpu(pid: number | undefined, cpu: number): Promise<boolean> {
  if (pid === undefined) return Promise.resolve(false);
  return new Promise((resolve) => execFile("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], (error) => resolve(!error)));
}

type ServerHandle = ChildHandle<ServerApi>;

/** Calls per published message by command over a window, the most called first (those under 0.01 left out). */
function callDeltas(before: Record<string, number>, after: Record<string, number>, published: number): Record<string, number> {
  const entries = Object.entries(after)
    .map(([command, calls]) => [command, (calls - (before[command] ?? 0)) / Math.max(1, published)] as const)
    .filter(([, perMessage]) => perMessage >= 0.01)
    .sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(entries.map(([command, perMessage]) => [command, Math.round(perMessage * 100) / 100]));
}
type Sample = Awaited<ReturnType<ServerApi["sample"]>>;

/** The row's server processes as one: seq and time from the publishing first, CPU and memory summed. */
async function sampleAll(servers: ServerHandle[]): Promise<Sample> {
  const samples = await Promise.all(servers.map((server) => server.call("sample", undefined)));
  const [first, ...rest] = samples as [Sample, ...Sample[]];
  const sum = (pick: (sample: Sample) => number) => samples.reduce((total, sample) => total + pick(sample), 0);
  if (rest.length === 0) return first;
  return {
    seq: first.seq,
    t: first.t,
    cpu: { user: sum((sample) => sample.cpu.user), system: sum((sample) => sample.cpu.system) },
    memory: { ...first.memory, heapUsed: sum((sample) => sample.memory.heapUsed), rss: sum((sample) => sample.memory.rss) },
  };
}

/**
 * One bench row: fresh server processes (one; or, with a deployment, each instance on Redis,
 * behind nginx when there are several) and a fresh load-generator process.
 */
export async function runRow(
  scenario: Scenario,
  options: BenchOptions,
  progress: Progress,
  deployment?: RowDeployment,
  label = deployment ? `${scenario}@${deployment.name}` : scenario,
): Promise<RowResult> {
  const kind = serverKindOf(scenario);
  const count = deployment?.instances ?? 1;
  const servers: ServerHandle[] = Array.from(
    { length: count },
    (_, i) => new ChildHandle<ServerApi>(`${label} server${count > 1 ? ` ${i + 1}` : ""}`, SERVER_SCRIPT, { cwd: PACKAGE_DIR, execArgv: ["--expose-gc"] }),
  );
  const [server] = servers as [ServerHandle, ...ServerHandle[]];
  // A larger young generation: 1,000 pollers' answers spent 29 % of the load generator's core in scavenges (--profile).
  const loadgen = new ChildHandle<LoadgenApi>(`${label} load generator`, LOADGEN_SCRIPT, { cwd: PACKAGE_DIR, execArgv: ["--max-semi-space-size=64"] });
  for (const child of servers) liveChildren.add(child);
  liveChildren.add(loadgen);
  let proxy: RunningNginx | undefined;
  try {
    await Promise.all([...servers.map((child) => child.ready), loadgen.ready]);
    if (options.pin) {
      // Every instance on CPU 0: the row's service gets one core, as the in-process row does.
      const pinned = await Promise.all([...servers.map((child) => pinToCpu(child.process.pid, 0)), pinToCpu(loadgen.process.pid, 1)]);
      if (pinned.every(Boolean)) progress(scenario, `server${count > 1 ? "s" : ""} pinned to CPU 0, load generator to CPU 1`);
    }
    const keyPrefix = `sb-bench-${randomUUID().slice(0, 8)}:`;
    const urls: string[] = [];
    for (const [i, child] of servers.entries()) {
      const redis = deployment && { redisUrl: deployment.redisUrl, databaseUrl: deployment.databaseUrl, keyPrefix, name: `bench-${i + 1}` };
      urls.push((await child.call("start", { kind, logLevel: options.logLevel, redis }, 120_000)).url);
    }
    // nginx is left to the scheduler: pinned beside the load generator (CPU 1), the 2-instance p99 was no steadier
    // (long polling 1.7–2.7×, WebSocket 2.3×) than unpinned (long polling 1.0–4.1×, WebSocket 1.3–2.7×); docs/scaling.md.
    if (urls.length > 1) proxy = await startNginx({ upstream: urls, config: "plain" });
    const url = proxy?.url ?? urls[0]!;
    progress(scenario, `${kind} server${count > 1 ? `s (${count}, behind nginx)` : ""} up at ${url}${deployment ? " on Redis" : ""}`);

    const connected = await loadgen.call(
      "connect",
      { scenario, url, topic: BENCH_TOPIC, subscribers: options.subscribers, pollIntervalMs: options.pollIntervalMs, sessions: options.sessions },
      180_000,
    );
    progress(
      scenario,
      `${connected.connected} subscribers live (sign-in ${(connected.signInMs / 1000).toFixed(1)} s, connect ${(connected.connectMs / 1000).toFixed(1)} s)`,
    );

    // The server's CPU with every subscriber connected and nothing published: timers, sweeps, metrics.
    let idleCpuMsPerS = Number.NaN;
    if (!options.skipIdleCpu) {
      await sleep(500);
      const i0 = await sampleAll(servers);
      await sleep(IDLE_CPU_WINDOW_MS);
      const i1 = await sampleAll(servers);
      idleCpuMsPerS = (cpuMs(i0.cpu, i1.cpu) / (i1.t - i0.t)) * 1000;
    }

    await server.call("publish", { rate: options.rate, payloadBytes: options.payloadBytes });
    progress(scenario, `publishing ${options.rate} msg/s; warm-up ${options.warmupS} s`);
    await sleep(options.warmupS * 1000);
    if (options.profileDir) await Promise.all([server.call("startProfile", undefined), loadgen.call("startProfile", undefined)]);
    const m0 = machineCpu();
    const p0 = await processTreeCpuMs(proxy?.pid);
    const r0 = await server.call("redisCalls", undefined);
    const [s0, l0] = await Promise.all([sampleAll(servers), loadgen.call("mark", undefined)]);
    progress(scenario, `measuring ${options.durationS} s`);
    await sleep(options.durationS * 1000);
    const [s1, l1] = await Promise.all([sampleAll(servers), loadgen.call("mark", undefined)]);
    const r1 = await server.call("redisCalls", undefined);
    const p1 = await processTreeCpuMs(proxy?.pid);
    const m1 = machineCpu();
    if (options.profileDir) {
      const file = path.resolve(options.profileDir, `${label}.cpuprofile`);
      const loadgenFile = path.resolve(options.profileDir, `${label}.loadgen.cpuprofile`);
      await Promise.all([server.call("stopProfile", { file }), loadgen.call("stopProfile", { file: loadgenFile })]);
      progress(scenario, `CPU profiles of the measured window: ${file} (server), ${loadgenFile} (load generator)`);
    }
    const { lastSeq } = await server.call("stopPublishing", undefined);
    const drainTimeoutMs = options.drainTimeoutMs ?? (isPollLike(scenario) ? options.pollIntervalMs : 0) + 5000;
    const drain = await loadgen.call("drain", { lastSeq, timeoutMs: drainTimeoutMs }, drainTimeoutMs + 10_000);
    const report = await loadgen.call("report", { fromSeq: s0.seq + 1, toSeq: s1.seq, lastSeq });

    const windowMs = s1.t - s0.t;
    const deliveries = report.windowDeliveries;
    const perMsg = (value: number) => (deliveries > 0 ? value / deliveries : Number.NaN);
    const loadgenWindowMs = l1.t - l0.t;
    const proxyCpuMs = p1 - p0;
    const published = s1.seq - s0.seq;
    const byCommand = r0 && r1 ? callDeltas(r0, r1, published) : undefined;
    const redisCalls = r0 && r1 ? Object.keys(r1).reduce((sum, command) => sum + r1[command]! - (r0[command] ?? 0), 0) : undefined;
    const result: RowResult = {
      scenario,
      server: kind,
      ok: true,
      subscribers: options.subscribers,
      windowMs,
      latency: report.latency,
      windowDeliveries: deliveries,
      deliveriesPerSec: deliveries / (windowMs / 1000),
      bytesPerMsg: perMsg(l1.bytes.read - l0.bytes.read),
      upBytesPerMsg: perMsg(l1.bytes.written - l0.bytes.written),
      requestsPerMsg: perMsg(l1.requests - l0.requests),
      cpuMsPer1k: perMsg(cpuMs(s0.cpu, s1.cpu)) * 1000,
      cpuUserMsPer1k: perMsg((s1.cpu.user - s0.cpu.user) / 1000) * 1000,
      cpuSystemMsPer1k: perMsg((s1.cpu.system - s0.cpu.system) / 1000) * 1000,
      serverCpuPct: (cpuMs(s0.cpu, s1.cpu) / windowMs) * 100,
      idleCpuMsPerS,
      // nginx is part of the row's deployment, not other load.
      otherCpuPct: Math.max(
        0,
        ((m1.busyMs - m0.busyMs - cpuMs(s0.cpu, s1.cpu) - cpuMs(l0.cpu, l1.cpu) - proxyCpuMs) / ((m1.at - m0.at) * m0.cpus)) * 100,
      ),
      loadgenCpuPct: (cpuMs(l0.cpu, l1.cpu) / loadgenWindowMs) * 100,
      serverHeapUsedMiB: s1.memory.heapUsed / MiB,
      serverRssMiB: s1.memory.rss / MiB,
      published: lastSeq,
      expected: report.expected,
      received: report.received,
      lost: report.lost,
      duplicates: report.duplicates,
      outOfOrder: report.outOfOrder,
      errors: report.errors,
      anomalies: report.anomalies,
      drained: drain.drained,
      ...(deployment
        ? {
            deployment: deployment.name,
            instances: count,
            redisCallsPerDelivery: redisCalls === undefined ? Number.NaN : perMsg(redisCalls),
            redisCallsPerMessage: redisCalls === undefined || published === 0 ? Number.NaN : redisCalls / published,
            ...(byCommand ? { redisCallsByCommand: byCommand } : {}),
            ...(proxy ? { proxyCpuMsPer1k: perMsg(proxyCpuMs) * 1000 } : {}),
          }
        : {}),
    };
    progress(
      scenario,
      `p50 ${result.latency.p50.toFixed(2)} ms, p99 ${result.latency.p99.toFixed(2)} ms, ${result.deliveriesPerSec.toFixed(0)} deliveries/s, ` +
        `${result.cpuMsPer1k.toFixed(1)} CPU ms/1k, lost ${result.lost}, dup ${result.duplicates}` +
        (deployment ? `, ${(result.redisCallsPerMessage ?? Number.NaN).toFixed(1)} Redis calls/msg` : ""),
    );

    if (scenario === "polling" || scenario === "bare-poll") {
      result.emptyPoll = await loadgen.call("emptyPoll", undefined);
      if (result.emptyPoll) {
        progress(scenario, `empty poll: ${result.emptyPoll.status}, ${result.emptyPoll.responseBytes} B down, ${result.emptyPoll.requestBytes} B up`);
      }
    }
    await loadgen.call("closeSubscribers", undefined);

    // Heap per idle connection is the in-process rows' figure; a Redis row measures delivery.
    if (!deployment && options.idle > 0 && holdsIdleConnections(scenario)) {
      result.idle = await measureIdle(server, loadgen, options.idle);
      progress(
        scenario,
        `idle: ${result.idle.opened}/${options.idle} connections, ${result.idle.heapUsedPerConnKiB.toFixed(2)} KiB heap each ` +
          `(${result.idle.rssPerConnKiB.toFixed(2)} KiB RSS)`,
      );
    }
    return result;
  } finally {
    await proxy?.stop();
    await Promise.all([...servers.map((child) => child.stop()), loadgen.stop()]);
    for (const child of servers) liveChildren.delete(child);
    liveChildren.delete(loadgen);
  }
}

/** gc → heapUsed; open M idle subscribers; gc → heapUsed; the difference over M. */
async function measureIdle(server: ChildHandle<ServerApi>, loadgen: ChildHandle<LoadgenApi>, count: number): Promise<IdleResult> {
  await loadgen.call("prepareIdle", { count }, 120_000);
  await sleep(500);
  const before = await server.call("heap", undefined);
  const opened = await loadgen.call("openIdle", { count }, 240_000);
  // Every idle subscriber holds a connection; wait until the server has them all, then let it settle.
  const deadline = Date.now() + 15_000;
  while ((await server.call("connections", undefined)) < opened.opened && Date.now() < deadline) await sleep(100);
  await sleep(1000);
  const after = await server.call("heap", undefined);
  await loadgen.call("closeIdle", undefined);
  const per = (a: number, b: number) => (opened.opened > 0 ? (a - b) / opened.opened / KiB : Number.NaN);
  const total = (memory: NodeJS.MemoryUsage) => memory.heapUsed + memory.external;
  return {
    requested: count,
    opened: opened.opened,
    failed: opened.failed,
    firstError: opened.firstError,
    openMs: opened.openMs,
    serverConnections: { before: before.connections, after: after.connections },
    heapUsedPerConnKiB: per(after.memory.heapUsed, before.memory.heapUsed),
    totalPerConnKiB: per(total(after.memory), total(before.memory)),
    rssPerConnKiB: per(after.memory.rss, before.memory.rss),
    loadgenRssMiB: opened.rss / MiB,
  };
}
