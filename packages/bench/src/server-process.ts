/**
 * The server under test, one per bench row, in its own process (run with
 * --expose-gc). It starts Switchboard or a bare baseline, publishes at the
 * requested rate from its own timer, and reports its CPU and memory.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import path from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { serveApi } from "./ipc";
import { makePad, makePayload, monotonicMs } from "./message";
import type { ServerKind } from "./scenarios";
import { startBareHttp, startBareSocketIo, startBareWs } from "./servers/bare";
import type { BenchServer } from "./servers/types";

let server: BenchServer | undefined;
let seq = 0;
let publisher: NodeJS.Timeout | undefined;
let profiler: Session | undefined;

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
  async start(args: { kind: ServerKind; logLevel: string }) {
    switch (args.kind) {
      case "switchboard": {
        // Loaded only here, so the bare rows run even while the service does not build.
        const { startSwitchboard } = await import("./servers/switchboard");
        server = await startSwitchboard({ logLevel: args.logLevel });
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

  /** Publishes `rate` messages a second, catching up on timer drift (at most 1,000 per tick). */
  publish(args: { rate: number; payloadBytes: number }) {
    const target = running();
    const pad = makePad(args.payloadBytes);
    const startedAt = monotonicMs();
    let sent = 0;
    const tick = () => {
      const due = Math.floor(((monotonicMs() - startedAt) * args.rate) / 1000) + 1;
      for (let burst = 0; sent < due && burst < 1000; burst++) {
        sent++;
        seq++;
        target.publish(seq, makePayload(seq, pad));
      }
    };
    tick();
    publisher = setInterval(tick, Math.max(1, Math.min(50, 1000 / args.rate)));
    return { startSeq: seq };
  },

  stopPublishing() {
    clearInterval(publisher);
    publisher = undefined;
    return { lastSeq: seq };
  },

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

  /** Starts a V8 CPU profile (the measured window only, with --profile). */
  async startProfile() {
    profiler = new Session();
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.start");
    return null;
  },

  async stopProfile(args: { file: string }) {
    if (!profiler) throw new Error("no profile running");
    const { profile } = await profiler.post("Profiler.stop");
    profiler.disconnect();
    profiler = undefined;
    await mkdir(path.dirname(args.file), { recursive: true });
    await writeFile(args.file, JSON.stringify(profile));
    return null;
  },

  async close() {
    clearInterval(publisher);
    await server?.close();
    server = undefined;
  },
};

export type ServerApi = typeof api;

serveApi(api);
process.on("SIGTERM", () => {
  void api.close().finally(() => process.exit(0));
});
