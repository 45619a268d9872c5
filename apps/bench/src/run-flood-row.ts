import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import type { AttackerApi } from "./attacker-process";
import { wellBehavedAddresses, type FloodKind, type FloodSizes } from "./flood/kinds";
import { TICKER_TOPIC } from "@repo/protocol";
import type { AttackOutcome } from "./flood/outcome";
import { highWaterMiB, RssSampler } from "./flood/rss-sampler";
import { StallProbe } from "./flood/stall-probe";
import { ChildHandle } from "./ipc";
import type { LoadgenApi } from "./loadgen-process";
import { BENCH_TOPIC, monotonicMs } from "./message";
import type { BenchOptions } from "./options";
import { liveChildren, machineCpu, PACKAGE_DIR, pinToCpu } from "./run-row";
import type { Scenario } from "./scenarios";
import type { ServerApi } from "./server-process";
import type { LatencySummary } from "./stats";

const SERVER_SCRIPT = fileURLToPath(new URL("./server-process.ts", import.meta.url));
const LOADGEN_SCRIPT = fileURLToPath(new URL("./loadgen-process.ts", import.meta.url));
const ATTACKER_SCRIPT = fileURLToPath(new URL("./attacker-process.ts", import.meta.url));

const RSS_SAMPLE_MS = 100;
/** After the flood window, the attacker reads for this long to learn how its sockets ended. */
const ATTACKER_DRAIN_MS = 2000;
/** A server still blocked this long after the flood window is killed (its clients have long given up). */
const UNRESPONSIVE_LIMIT_MS = 60_000;

/** One measured window of a flood row: the same well-behaved clients, without or with the attack. */
export interface FloodWindow {
  windowMs: number;
  latency: LatencySummary;
  /** Latency of each group of well-behaved clients (WebSocket, SSE). */
  groups: Array<{ scenario: Scenario; latency: LatencySummary }>;
  /**
   * Messages of the window × subscribers, and those not received by the end of
   * the drain (these count in `latency` with the least latency they had).
   */
  expected: number;
  received: number;
  lost: number;
  /** Highest server RSS sampled (every 100 ms, /proc) during the window. */
  peakRssMiB: number;
  /** Server RSS when the window began. */
  startRssMiB: number;
  /** Server CPU (% of one core) over the window, from /proc. */
  serverCpuPct: number;
  /** Longest the server's event loop took to answer a ping sent in the window (ms). */
  longestStallMs: number;
  /** Share of the machine's CPU used by other processes (not the bench's children) during the window. */
  otherCpuPct: number;
}

export interface FloodResult {
  kind: FloodKind;
  ok: boolean;
  error?: string;
  /** Well-behaved subscribers per transport, all on `system:bench`, each from its own loopback address. */
  groups: Array<{ scenario: Scenario; subscribers: number }>;
  rate: number;
  durationS: number;
  sizes: FloodSizes;
  calm?: FloodWindow;
  flood?: FloodWindow;
  /** flood ÷ calm. */
  ratios?: { p50: number; p99: number; peakRss: number };
  /** Peak RSS over the server process's whole life (VmHWM). */
  serverHighWaterMiB: number;
  /** The server's RSS passed --flood-rss-limit and the bench killed it. */
  killedAtRssLimit: boolean;
  /** The server was still blocked a minute after the flood window and the bench killed it. */
  unresponsive?: boolean;
  /** The server process ended during the row (crash or kill). */
  serverExited?: string;
  attacker?: AttackOutcome;
  /** Failed requests or connections of the well-behaved clients, and reset/closing signals they received. */
  clientErrors: number;
  clientAnomalies: number;
  drained: boolean;
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? Number.NaN : a / b;

/** The clients of a flood row: half WebSocket, half SSE (at least one of each). */
export function floodGroups(subscribers: number): Array<{ scenario: Scenario; subscribers: number }> {
  const websocket = Math.max(1, Math.ceil(subscribers / 2));
  return [
    { scenario: "websocket", subscribers: websocket },
    { scenario: "sse", subscribers: Math.max(1, subscribers - websocket) },
  ];
}

/**
 * One flood row: a fresh Switchboard (default limits) in its own process,
 * well-behaved subscribers in the load generator, the attacker in a third
 * process. A window without the attack, then one with it, on the same server
 * and clients; the orchestrator samples the server's RSS every 100 ms.
 */
export async function runFloodRow(
  kind: FloodKind,
  options: BenchOptions,
  sizes: FloodSizes,
  progress: (name: string, message: string) => void,
): Promise<FloodResult> {
  const name = `flood:${kind}`;
  const say = (message: string) => progress(name, message);
  const server = new ChildHandle<ServerApi>(`${name} server`, SERVER_SCRIPT, { cwd: PACKAGE_DIR, execArgv: ["--expose-gc"] });
  const loadgen = new ChildHandle<LoadgenApi>(`${name} load generator`, LOADGEN_SCRIPT, { cwd: PACKAGE_DIR });
  const attacker = new ChildHandle<AttackerApi>(`${name} attacker`, ATTACKER_SCRIPT, { cwd: PACKAGE_DIR });
  const children = [server, loadgen, attacker] as Array<ChildHandle<never>>;
  for (const child of children) liveChildren.add(child);
  const groups = floodGroups(options.subscribers);
  const result: FloodResult = {
    kind,
    ok: false,
    groups,
    rate: options.rate,
    durationS: options.durationS,
    sizes,
    serverHighWaterMiB: Number.NaN,
    killedAtRssLimit: false,
    clientErrors: 0,
    clientAnomalies: 0,
    drained: false,
  };
  let sampler: RssSampler | undefined;
  let stalls: StallProbe | undefined;
  server.process.once("exit", (code, signal) => (result.serverExited = String(signal ?? code)));
  try {
    await Promise.all(children.map((child) => child.ready));
    if (options.pin) {
      // Two CPUs: the server has one to itself; the load generator and the attacker share the other.
      await Promise.all([pinToCpu(server.process.pid, 0), pinToCpu(loadgen.process.pid, 1), pinToCpu(attacker.process.pid, 1)]);
    }
    const { url, pid } = await server.call("start", { kind: "switchboard", logLevel: options.logLevel, profile: "flood" }, 120_000);
    say(`Switchboard (default limits) up at ${url}`);
    sampler = new RssSampler(pid, {
      intervalMs: RSS_SAMPLE_MS,
      limitBytes: sizes.rssLimitMiB * 1024 * 1024,
      onLimit: (sample) => {
        result.killedAtRssLimit = true;
        say(`server RSS ${(sample.rssBytes / 1024 / 1024).toFixed(0)} MiB passed ${sizes.rssLimitMiB} MiB: killing it`);
        server.kill();
      },
    });
    if (!sampler.available) say("no /proc: RSS and CPU figures unavailable");

    // What an hour-old deployment holds: an hour of ticks; the subscribe flood's own topics filled too.
    await server.call("fill", { topic: TICKER_TOPIC, type: "tick", count: sizes.tickerBacklog, payloadBytes: 0 }, 120_000);
    const signedIn = await attacker.call("signIn", { kind, url, sizes });
    if (kind === "subscribe") {
      for (const userId of signedIn.userIds) {
        await server.call("fill", { topic: `echo:${userId}`, type: "echo", count: sizes.fillEvents, payloadBytes: sizes.fillBytes }, 120_000);
      }
    }
    const armed = await attacker.call("arm", undefined);
    say(
      `attacker: ${signedIn.signIns.created}/${signedIn.signIns.attempted} guests signed in` +
        (kind === "subscribe" ? `, ${armed.sockets} sockets ready, echo topics filled with ${sizes.fillEvents} × ${sizes.fillBytes} B` : ""),
    );

    const connected = await loadgen.call(
      "connect",
      {
        scenario: "websocket",
        url,
        topic: BENCH_TOPIC,
        subscribers: options.subscribers,
        pollIntervalMs: options.pollIntervalMs,
        groups,
        addresses: wellBehavedAddresses(options.subscribers),
      },
      180_000,
    );
    say(`${connected.connected} well-behaved subscribers live (${groups.map((group) => `${group.subscribers} ${group.scenario}`).join(", ")})`);
    const before = await loadgen.call("mark", undefined);

    const published = await server.call("publish", { rate: options.rate, payloadBytes: options.payloadBytes, scheduled: true });
    // The seq of the last message due by monotonic time t (the publisher's own schedule, so it is known even while the server is blocked).
    const seqDueBy = (t: number) => published.startSeq + Math.max(0, Math.floor(((t - published.startedAt) * options.rate) / 1000) + 1);
    stalls = new StallProbe(server);
    say(`publishing ${options.rate} msg/s; warm-up ${options.warmupS} s`);
    await sleep(options.warmupS * 1000);

    const windowMs = options.durationS * 1000;
    const measure = async (during?: () => Promise<AttackOutcome>) => {
      const m0 = machineCpu();
      const l0 = await loadgen.call("mark", undefined);
      const window = { t0: Date.now(), mono0: monotonicMs(), t1: 0, mono1: 0 };
      const attack = during?.();
      await sleep(windowMs);
      window.t1 = Date.now();
      window.mono1 = monotonicMs();
      const l1 = await loadgen.call("mark", undefined);
      const m1 = machineCpu();
      const serverCpuMs = sampler!.available ? (sampler!.cpuPct(window.t0, window.t1) / 100) * (window.t1 - window.t0) : 0;
      const loadgenCpuMs = (l1.cpu.user - l0.cpu.user + l1.cpu.system - l0.cpu.system) / 1000;
      const other = (m1.busyMs - m0.busyMs - serverCpuMs - loadgenCpuMs) / ((m1.at - m0.at) * m0.cpus);
      return { ...window, attack, otherCpuPct: Math.max(0, other * 100) };
    };

    say(`measuring ${options.durationS} s without the flood`);
    const calm = await measure();
    say(`measuring ${options.durationS} s with the ${kind} flood`);
    const flood = await measure(() => attacker.call("flood", { durationMs: windowMs, drainMs: ATTACKER_DRAIN_MS }, windowMs + ATTACKER_DRAIN_MS + 60_000));
    result.attacker = await flood.attack!.catch((error: unknown) => {
      say(`attacker failed: ${(error as Error).message}`);
      return undefined;
    });

    // A server the flood blocked answers once it is free again; one that stays blocked is killed
    // (after the clients' errors are counted: the kill itself would cut every one of them).
    const freeAt = await server.call("stopPublishing", undefined, UNRESPONSIVE_LIMIT_MS).catch(() => null);
    const countClientTrouble = async () => {
      const after = await loadgen.call("mark", undefined);
      result.clientErrors = after.errors - before.errors;
      result.clientAnomalies = after.anomalies - before.anomalies;
    };
    if (!freeAt) {
      await countClientTrouble();
      if (result.serverExited === undefined) {
        result.unresponsive = true;
        say(`server still busy ${UNRESPONSIVE_LIMIT_MS / 1000} s after the window: killing it`);
        server.kill();
      }
    }
    const lastSeq = freeAt?.lastSeq ?? seqDueBy(monotonicMs());
    const drain = await loadgen.call("drain", { lastSeq, timeoutMs: freeAt ? 5000 : 0 }, 20_000);
    const floodEnd = Date.now();
    const drainedAt = monotonicMs();
    result.drained = drain.drained;
    if (freeAt) await countClientTrouble();
    if (kind === "session" && result.attacker && freeAt) {
      const counts = await server.call("counts", undefined, 30_000).catch(() => null);
      // Every well-behaved client signed in once before the windows; the rest came from the flood.
      if (counts) result.attacker.created = { sessions: counts.sessions - options.subscribers, users: counts.users - options.subscribers };
    }

    const windowOf = async (window: typeof calm, peakUntil: number): Promise<FloodWindow> => {
      const report = await loadgen.call("windowReport", {
        fromSeq: seqDueBy(window.mono0) + 1,
        toSeq: seqDueBy(window.mono1),
        asOf: drainedAt,
        schedule: { ...published, rate: options.rate },
      });
      return {
        windowMs: window.t1 - window.t0,
        latency: report.latency,
        groups: report.groups,
        expected: report.expected,
        received: report.received,
        lost: report.lost,
        peakRssMiB: sampler!.peakMiB(window.t0, peakUntil),
        startRssMiB: (sampler!.at(window.t0)?.rssBytes ?? Number.NaN) / 1024 / 1024,
        serverCpuPct: sampler!.cpuPct(window.t0, window.t1),
        longestStallMs: stalls!.longestMs(window.mono0, window.mono1),
        otherCpuPct: window.otherCpuPct,
      };
    };
    result.calm = await windowOf(calm, calm.t1);
    // The flood's effects outlast its window (a blocked server keeps growing): its peak runs to the end of the drain.
    result.flood = await windowOf(flood, floodEnd);
    result.ratios = {
      p50: ratio(result.flood.latency.p50, result.calm.latency.p50),
      p99: ratio(result.flood.latency.p99, result.calm.latency.p99),
      peakRss: ratio(result.flood.peakRssMiB, result.calm.peakRssMiB),
    };
    result.ok = !result.killedAtRssLimit && !result.unresponsive && result.serverExited === undefined;
    if (!result.ok) {
      result.error = result.killedAtRssLimit
        ? `server RSS passed ${sizes.rssLimitMiB} MiB: killed`
        : result.unresponsive
          ? `server unresponsive ${UNRESPONSIVE_LIMIT_MS / 1000} s after the window: killed`
          : `server exited (${result.serverExited})`;
    }
    say(
      `p99 ${result.calm.latency.p99.toFixed(2)} → ${result.flood.latency.p99.toFixed(2)} ms (×${result.ratios.p99.toFixed(2)}), ` +
        `peak RSS ${result.calm.peakRssMiB.toFixed(0)} → ${result.flood.peakRssMiB.toFixed(0)} MiB, longest stall ${result.flood.longestStallMs.toFixed(0)} ms, ` +
        `lost ${result.calm.lost} / ${result.flood.lost}`,
    );
    return result;
  } catch (error) {
    result.ok = false;
    result.error = result.killedAtRssLimit
      ? `server RSS passed ${sizes.rssLimitMiB} MiB: killed (${(error as Error).message.split("\n")[0]})`
      : (error as Error).message.split("\n")[0];
    say(`FAILED: ${result.error}`);
    return result;
  } finally {
    sampler?.stop();
    stalls?.stop();
    if (server.process.pid !== undefined) result.serverHighWaterMiB = highWaterMiB(server.process.pid);
    if (sampler && !Number.isFinite(result.serverHighWaterMiB)) result.serverHighWaterMiB = sampler.peakMiB(0, Date.now());
    await Promise.all(children.map((child) => child.stop()));
    for (const child of children) liveChildren.delete(child);
  }
}
