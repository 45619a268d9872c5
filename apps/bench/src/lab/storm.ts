import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import type { TransportName } from "@repo/protocol";
import { ChildHandle } from "../ipc";
import { monotonicMs } from "../message";
import { processTreeCpuMs } from "../redis/process-cpu";
import { PACKAGE_DIR, liveChildren, machineCpu, pinToCpu } from "../run-row";
import type { StormClientsApi } from "../storm/storm-clients-process";
import type { StormServerApi } from "../storm/storm-server-process";
import type { LabOptions } from "./lab-options";
import type { Log } from "./measure-row";

const SERVER_SCRIPT = fileURLToPath(new URL("../storm/storm-server-process.ts", import.meta.url));
const CLIENTS_SCRIPT = fileURLToPath(new URL("../storm/storm-clients-process.ts", import.meta.url));
/** Events a second on the topic before the kill and after the restart (the clients must resume across it). */
const STORM_RATE = 20;
/** How long the service stays dead before its new process starts. */
const DOWNTIME_MS = 2000;
/** After the last client is back: more load counted, then the last events drained. */
const TAIL_MS = 1000;
const BACK_TIMEOUT_MS = 120_000;

/** One restart under N clients on one transport, with or without jitter. */
export interface StormRow {
  transport: TransportName;
  jitter: boolean;
  clients: number;
  opened: number;
  ok: boolean;
  error?: string;
  /** SIGKILL → the new process listening on the same port. */
  downtimeMs: number;
  bucketMs: number;
  /** HTTP requests (WebSocket upgrades included) that reached the new process, per bucket from when it listened. */
  requests: number[];
  /** TCP connections it accepted, per bucket. */
  connections: number[];
  /** Clients back (open again), per bucket, as the clients saw it. */
  back: number[];
  peakRequests: number;
  peakConnections: number;
  /** Listening → the last client open again (null: not all came back). */
  allBackMs: number | null;
  backCount: number;
  /** Events on the topic over the whole run (offsets 1..published). */
  published: number;
  lost: number;
  duplicates: number;
  resets: number;
  errors: number;
  firstError?: string;
  /** Share of the machine used by anything but the service and the clients, from the restart until all were back (other work skews the curve). */
  otherCpuPct: number;
}

/** CPU ms of the machine and of the storm's two processes so far. */
async function cpuPoint(pids: Array<number | undefined>) {
  const own = await Promise.all(pids.map(processTreeCpuMs));
  return { machine: machineCpu(), ownMs: own.reduce((sum, ms) => sum + ms, 0) };
}

async function sigkill(child: ChildHandle<StormServerApi>): Promise<void> {
  const exited = new Promise<void>((resolve) => child.process.once("exit", () => resolve()));
  child.kill();
  await exited;
  liveChildren.delete(child);
}

async function startService(lab: LabOptions, port: number, prefix: string, databaseUrl: string, redisUrl: string) {
  const child = new ChildHandle<StormServerApi>("storm service", SERVER_SCRIPT, { cwd: PACKAGE_DIR });
  liveChildren.add(child);
  await child.ready;
  if (lab.pin) await pinToCpu(child.process.pid, 0);
  const started = await child.call("start", { port, logLevel: lab.logLevel, redis: { redisUrl, databaseUrl, keyPrefix: prefix, name: "storm" } }, 120_000);
  return { child, ...started };
}

const perBucket = (times: number[], bucketMs: number, buckets: number) => {
  const out = new Array<number>(buckets).fill(0);
  for (const t of times) out[Math.min(buckets - 1, Math.max(0, Math.floor(t / bucketMs)))]!++;
  return out;
};

/**
 * N SDK clients open on `transport`; the service publishing; SIGKILL; 2 s
 * dead; a new process on the same port with the same Redis and PostgreSQL;
 * the arrivals it counts per 100 ms until every client is back and a second
 * more; then every client must have every event of the topic exactly once.
 */
export async function runStorm(transport: TransportName, jitter: boolean, lab: LabOptions, databaseUrl: string, log: Log): Promise<StormRow> {
  const label = `storm ${transport} ${jitter ? "jitter" : "no jitter"}`;
  const prefix = `sb-storm-${randomUUID().slice(0, 8)}:`;
  const clients = new ChildHandle<StormClientsApi>(`${label} clients`, CLIENTS_SCRIPT, { cwd: PACKAGE_DIR });
  liveChildren.add(clients);
  let service: Awaited<ReturnType<typeof startService>> | undefined;
  try {
    service = await startService(lab, 0, prefix, databaseUrl, lab.stormRedisUrl);
    await clients.ready;
    if (lab.pin) await pinToCpu(clients.process.pid, 1);
    const opened = await clients.call("open", { url: service.url, count: lab.stormClients, transport, jitter }, 300_000);
    log(label, `${opened.opened} SDK clients open at ${service.url} (sign-in ${(opened.signInMs / 1000).toFixed(1)} s, connect ${(opened.connectMs / 1000).toFixed(1)} s)`);
    await service.child.call("publish", { rate: STORM_RATE });
    await sleep(1000);
    await clients.call("watch", undefined);
    await sigkill(service.child);
    const killedAt = monotonicMs();
    log(label, `service killed (SIGKILL) while publishing ${STORM_RATE} events/s; restarting in ${DOWNTIME_MS / 1000} s on port ${service.port}`);
    await sleep(DOWNTIME_MS);
    service = await startService(lab, service.port, prefix, databaseUrl, lab.stormRedisUrl);
    await service.child.call("publish", { rate: STORM_RATE });
    const downtimeMs = service.listeningAt - killedAt;
    log(label, `service back on port ${service.port} after ${(downtimeMs / 1000).toFixed(1)} s (log head ${service.head}); counting arrivals per 100 ms`);
    const pids = [service.child.process.pid, clients.process.pid];
    const c0 = await cpuPoint(pids);
    const until = Date.now() + BACK_TIMEOUT_MS;
    let progress = await clients.call("progress", undefined);
    while (progress.back < progress.of && Date.now() < until) {
      await sleep(100);
      progress = await clients.call("progress", undefined);
    }
    const c1 = await cpuPoint(pids);
    const otherCpuPct = Math.max(0, ((c1.machine.busyMs - c0.machine.busyMs - (c1.ownMs - c0.ownMs)) / ((c1.machine.at - c0.machine.at) * c0.machine.cpus)) * 100);
    log(label, progress.back === progress.of ? `all ${progress.of} clients back` : `only ${progress.back}/${progress.of} clients back after ${BACK_TIMEOUT_MS / 1000} s`);
    await sleep(TAIL_MS);
    const { head } = await service.child.call("stopPublishing", undefined);
    await clients.call("drain", { head, timeoutMs: 20_000 }, 30_000);
    const report = await clients.call("report", { head });
    const arrivals = await service.child.call("arrivals", undefined);
    const backTimes = report.backAt.filter((t): t is number => t !== null).map((t) => t - service!.startedAt);
    const buckets = Math.max(arrivals.requests.length, arrivals.connections.length, 1);
    const pad = (values: number[]) => [...values, ...new Array<number>(buckets - values.length).fill(0)];
    const allBack = report.backAt.every((t) => t !== null);
    const row: StormRow = {
      transport,
      jitter,
      clients: lab.stormClients,
      opened: opened.opened,
      ok: true,
      downtimeMs,
      bucketMs: arrivals.bucketMs,
      requests: pad(arrivals.requests),
      connections: pad(arrivals.connections),
      back: perBucket(backTimes, arrivals.bucketMs, buckets),
      peakRequests: Math.max(0, ...arrivals.requests),
      peakConnections: Math.max(0, ...arrivals.connections),
      allBackMs: allBack ? Math.max(...report.backAt.map((t) => t! - service!.listeningAt)) : null,
      backCount: backTimes.length,
      published: head,
      lost: report.lost,
      duplicates: report.duplicates,
      resets: report.resets,
      errors: report.errors,
      ...(report.firstError ? { firstError: report.firstError } : {}),
      otherCpuPct,
    };
    log(
      label,
      `peak ${row.peakRequests} requests / ${row.peakConnections} connections per 100 ms; all back ${row.allBackMs === null ? "never" : `in ${(row.allBackMs / 1000).toFixed(2)} s`}; ${head} events, lost ${row.lost}, dup ${row.duplicates}, resets ${row.resets}; other load ${otherCpuPct.toFixed(0)} %`,
    );
    return row;
  } catch (error) {
    const message = (error as Error).message.split("\n")[0]!;
    log(label, `FAILED: ${message}`);
    return { transport, jitter, clients: lab.stormClients, opened: 0, ok: false, error: message, downtimeMs: 0, bucketMs: 100, requests: [], connections: [], back: [], peakRequests: 0, peakConnections: 0, allBackMs: null, backCount: 0, published: 0, lost: 0, duplicates: 0, resets: 0, errors: 0, otherCpuPct: Number.NaN };
  } finally {
    await clients.call("close", undefined).catch(() => null);
    await clients.stop();
    liveChildren.delete(clients);
    if (service) {
      await service.child.stop();
      liveChildren.delete(service.child);
    }
  }
}

/** Why a storm row fails the run: events lost or duplicated, a reset, clients not back. */
export function stormProblems(row: StormRow): string[] {
  const name = `storm ${row.transport} ${row.jitter ? "jitter" : "no jitter"}`;
  if (!row.ok) return [`${name} failed: ${row.error}`];
  const out: string[] = [];
  if (row.lost + row.duplicates > 0) out.push(`${name}: ${row.lost} events lost, ${row.duplicates} duplicated across the restart`);
  if (row.resets > 0) out.push(`${name}: ${row.resets} resets (the log did not survive the restart)`);
  if (row.allBackMs === null) out.push(`${name}: only ${row.backCount}/${row.opened} clients came back`);
  if (row.opened < row.clients) out.push(`${name}: only ${row.opened}/${row.clients} clients opened`);
  return out;
}
