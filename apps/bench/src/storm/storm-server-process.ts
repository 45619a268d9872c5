/**
 * The service of the reconnect storm, in its own process: the real
 * Switchboard on Redis (the hub's log survives the process) and PostgreSQL
 * (sessions survive it), on a given port so a restart comes back where the
 * clients retry. It counts every TCP connection and HTTP request (upgrades
 * included) that reaches it, per 100 ms from the moment it starts listening:
 * the load curve is measured at the server, not inferred from the clients.
 */
import { serveApi } from "../ipc";
import { BENCH_EVENT_TYPE, BENCH_TOPIC, makePad, makePayload, monotonicMs } from "../message";
import { startSwitchboard, type RedisDeployment, type SwitchboardBench } from "../servers/switchboard";

export const BUCKET_MS = 100;

let service: SwitchboardBench | undefined;
let publisher: NodeJS.Timeout | undefined;
let inFlight: Promise<unknown> = Promise.resolve();
let seq = 0;
let publishErrors = 0;
let startedAt = 0;
const connections: number[] = [];
const requests: number[] = [];

function count(buckets: number[]) {
  const index = Math.floor((monotonicMs() - startedAt) / BUCKET_MS);
  while (buckets.length <= index) buckets.push(0);
  buckets[index]!++;
}

function running(): SwitchboardBench {
  if (!service) throw new Error("service not started");
  return service;
}

const api = {
  async start(args: { port: number; redis: RedisDeployment; logLevel: string }) {
    service = await startSwitchboard({
      logLevel: args.logLevel,
      profile: "bench",
      redis: args.redis,
      port: args.port,
      beforeListen(httpServer) {
        startedAt = monotonicMs();
        httpServer.on("connection", () => count(connections));
        httpServer.on("request", () => count(requests));
        httpServer.on("upgrade", () => count(requests));
      },
    });
    const port = Number(new URL(service.url).port);
    // Publishing continues the log where the killed process left it (the hub reads the head from Redis).
    seq = (await service.hub.head(BENCH_TOPIC)).offset;
    return { url: service.url, port, startedAt, listeningAt: monotonicMs(), head: seq };
  },

  /** One event every 1000/rate ms, each awaited in order (a publish the kill interrupts never got an offset). */
  publish(args: { rate: number }) {
    const hub = running().hub;
    const pad = makePad(100);
    publisher = setInterval(() => {
      inFlight = inFlight.then(() => hub.publish(BENCH_TOPIC, BENCH_EVENT_TYPE, makePayload(++seq, pad))).catch(() => publishErrors++);
    }, 1000 / args.rate);
    return null;
  },

  async stopPublishing() {
    clearInterval(publisher);
    await inFlight;
    if (publishErrors > 0) throw new Error(`${publishErrors} publishes failed`);
    return { head: (await running().hub.head(BENCH_TOPIC)).offset };
  },

  /** Arrivals per 100 ms since this process started listening (index 0: its first 100 ms). */
  arrivals: () => ({ bucketMs: BUCKET_MS, connections: [...connections], requests: [...requests] }),

  async close() {
    clearInterval(publisher);
    await service?.close();
    service = undefined;
  },
};

export type StormServerApi = typeof api;

serveApi(api);
process.on("SIGTERM", () => {
  void api.close().finally(() => process.exit(0));
});
