/**
 * The server under test, one per bench row, in its own process (run with
 * --expose-gc). It starts Switchboard or a bare baseline, publishes at the
 * requested rate from its own timer, and reports its CPU and memory.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { serveApi } from "./ipc";
import { makePad, makePayload, monotonicMs } from "./message";
import type { ServerKind } from "./scenarios";
import { startBareHttp, startBareSocketIo, startBareWs } from "./servers/bare";
import type { RedisDeployment, SwitchboardBench } from "./servers/switchboard";
import { profileApi } from "./cpu-profile";
import type { ServerProfile } from "./servers/switchboard-config";
import type { BenchServer } from "./servers/types";

let server: BenchServer | undefined;
let switchboard: SwitchboardBench | undefined;
let seq = 0;
let publisher: NodeJS.Timeout | undefined;

function running(): BenchServer {
  if (!server) throw new Error("server not started");
  return server;
}

async function collectGarbage() {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run the server process with --expose-gc");
  for (let i = 0; i < 3; i++) {
    gc();
    await nextTurn();
  }
}

const api = {
  /**
   * `profile` (Switchboard only) picks the service's config: "bench" (the
   * normal rows, generous limits) or "flood" (the service's default limits).
   */
  async start(args: { kind: ServerKind; logLevel: string; profile?: ServerProfile; redis?: RedisDeployment }) {
    switch (args.kind) {
      case "switchboard": {
        // Loaded only here, so the bare rows run even while the service does not build.
        const { startSwitchboard } = await import("./servers/switchboard");
        server = switchboard = await startSwitchboard({ logLevel: args.logLevel, profile: args.profile ?? "bench", redis: args.redis });
        break;
      }
      case "bare-socketio":
        server = await startBareSocketIo();
        break;
      case "bare-ws":
        server = await startBareWs();
        break;
      case "bare-http":
        server = await startBareHttp();
        break;
    }
    return { url: server.url, pid: process.pid };
  },

  /**
   * Publishes `rate` messages a second, catching up on timer drift (at most
   * 1,000 per tick). With `scheduled` (flood rows) a message's `sentAt` is the
   * time it was due, not the time the timer got to it: a server whose event
   * loop is blocked publishes late, and that wait is part of what its clients
   * suffer (no coordinated omission).
   */
  publish(args: { rate: number; payloadBytes: number; scheduled?: boolean }) {
    const target = running();
    const pad = makePad(args.payloadBytes);
    const startedAt = monotonicMs();
    const startSeq = seq;
    let sent = 0;
    const dueAt = (index: number) => startedAt + (index * 1000) / args.rate;
    const tick = () => {
      const due = Math.floor(((monotonicMs() - startedAt) * args.rate) / 1000) + 1;
      for (let burst = 0; sent < due && burst < 1000; burst++) {
        const payload = args.scheduled ? makePayload(seq + 1, pad, dueAt(sent)) : makePayload(seq + 1, pad);
        sent++;
        seq++;
        target.publish(seq, payload);
      }
    };
    tick();
    if (args.scheduled) {
      // Each tick aimed at the next message's due time: an interval timer drifts by up to one
      // interval before the catch-up fires, which would read as latency here.
      const next = () => {
        publisher = setTimeout(() => {
          tick();
          next();
        }, Math.max(0, dueAt(sent) - monotonicMs()));
      };
      next();
    } else {
      publisher = setInterval(tick, Math.max(1, Math.min(50, 1000 / args.rate)));
    }
    // The message k (0-based) of this run is seq startSeq + k + 1, due at startedAt + k / rate (monotonic ms).
    return { startSeq, startedAt };
  },

  stopPublishing() {
    // Node's clearInterval also clears the scheduled mode's setTimeout.
    clearInterval(publisher);
    publisher = undefined;
    return { lastSeq: seq };
  },

  /** Answers at once: how long the answer takes is how long the event loop was busy (flood rows). */
  ping: () => monotonicMs(),

  /** A point of the measurement window: last published seq, CPU and memory. */
  sample() {
    return { seq, t: monotonicMs(), cpu: process.cpuUsage(), memory: process.memoryUsage() };
  },

  /** Memory after full garbage collections, with the number of open TCP connections. */
  async heap() {
    await collectGarbage();
    return { memory: process.memoryUsage(), connections: await running().connections() };
  },

  connections: () => running().connections(),

  /** Flood rows: fills a topic with a backlog (published in this process, before any window). */
  fill(args: { topic: string; type: string; count: number; payloadBytes: number }) {
    if (!switchboard) throw new Error("fill needs a Switchboard server");
    return switchboard.fill(args.topic, args.type, args.count, args.payloadBytes);
  },

  /** Redis rows: the Redis server's command calls so far (all clients); null in process. */
  redisCalls: () => switchboard?.redisCalls() ?? null,

  /** Flood rows: users and sessions in the database. */
  counts() {
    if (!switchboard) throw new Error("counts needs a Switchboard server");
    return switchboard.counts();
  },

  /** A V8 CPU profile of the measured window only (--profile). */
  ...profileApi,

  async close() {
    clearInterval(publisher);
    await server?.close();
    server = switchboard = undefined;
  },
};

export type ServerApi = typeof api;

serveApi(api);
process.on("SIGTERM", () => {
  void api.close().finally(() => process.exit(0));
});
