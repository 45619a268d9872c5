import os from "node:os";
import { parseArgs } from "node:util";
import { TransportName } from "@repo/protocol";
import { DEFAULT_FLOOD_SIZES } from "../flood/kinds";
import type { BenchOptions } from "../options";
import { ALL_SCENARIOS, isScenario, type Scenario } from "../scenarios";

export const LAB_SCENARIOS = ["ramp", "idle", "cost", "storm", "h2"] as const;
export type LabScenario = (typeof LAB_SCENARIOS)[number];

export interface LabOptions {
  scenarios: LabScenario[];
  quick: boolean;
  /** The p99 bound of a passing ramp step (ms). */
  p99BoundMs: number;
  rampTransports: Scenario[];
  rampSubscribers: number;
  /** Publish rates of the ramp's steps, ascending (each subscriber receives every message). */
  rampRates: number[];
  idleTransports: Scenario[];
  idleConnections: number;
  costTransports: Scenario[];
  costSizes: number[];
  costRate: number;
  /** Transports of the reconnect storm (each run with jitter and without). */
  stormTransports: TransportName[];
  stormClients: number;
  /** The Redis the storm's service keeps its log in (it must outlive the killed process). */
  stormRedisUrl: string;
  warmupS: number;
  durationS: number;
  payloadBytes: number;
  pollIntervalMs: number;
  retries: number;
  pin: boolean;
  logLevel: string;
  outDir?: string;
  docs: boolean;
  /** Where --docs writes transports.md and transports/ (default <repo>/docs). */
  docsDir?: string;
  /** Render charts and docs from these result files (merged) instead of measuring. */
  from: string[];
}

export const LAB_USAGE = `Usage: pnpm bench:lab [options]

  --scenarios LIST       ramp,idle,cost,storm,h2 (default all five; h2: seven SSE streams in Chromium, HTTP/1.1 against HTTP/2 TLS nginx)
  --ramp-transports LIST transports of the fan-out ramp (default the four and bare-socketio,bare-ws,bare-sse)
  --ramp-subscribers N   subscribers of every ramp step (default 100; --quick 5)
  --ramp-rates LIST      publish rates of the steps, msg/s (default 100,200,400,800,1600,3200; --quick 5,10)
  --p99-bound MS         a step passes with p99 ≤ MS and nothing lost or duplicated (default 100)
  --idle-transports LIST (default websocket,sse,long-polling and bare-socketio,bare-ws,bare-sse,bare-long-poll)
  --idle-connections N   idle connections per transport (default 10000; --quick 50)
  --cost-transports LIST (default the four transports)
  --cost-sizes LIST      subscriber counts (default 100,1000,10000; --quick 5,20)
  --cost-rate R          msg/s of the cost rows (default 2)
  --storm-transports LIST transports of the reconnect storm (default websocket,sse; the pollers' steady polls would hide the storm in the request count)
  --storm-clients N      SDK clients killed and brought back by one restart (default 1000; --quick 100)
  --storm-redis URL      Redis of the storm's service (default redis://127.0.0.1:6379); PostgreSQL: TEST_DATABASE_URL's server
  --duration S           measured seconds per row (default 5; --quick 1)
  --warmup S             warm-up seconds per row (default 2; --quick 0.5)
  --payload BYTES        payload size (default 200)
  --poll-interval MS     short-polling interval (default 1000)
  --retries N            measure a row again when other processes used > 10 % of the machine (default 1; --quick 0)
  --no-pin               do not pin server and load generator to CPU 0 and 1
  --out DIR              results folder (default <repo>/bench/results)
  --docs                 also write docs/transports.md and docs/transports/ (lab.json, *.svg)
  --docs-dir DIR         where --docs writes them (default <repo>/docs)
  --from FILES           comma-separated lab JSON files: render charts (and --docs) from them, merged, without measuring
  --quick                tiny sizes for the smoke test
  --help`;

const DEFAULT_RAMP: Scenario[] = ["websocket", "sse", "long-polling", "polling", "bare-socketio", "bare-ws", "bare-sse"];
const DEFAULT_IDLE: Scenario[] = ["websocket", "sse", "long-polling", "bare-socketio", "bare-ws", "bare-sse", "bare-long-poll"];
const DEFAULT_COST: Scenario[] = ["websocket", "sse", "long-polling", "polling"];

function numbers(name: string, text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  const values = text.split(",").map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((value) => !Number.isFinite(value) || value <= 0)) throw new Error(`--${name} takes positive numbers, got ${text}`);
  return values.sort((a, b) => a - b);
}

function scenarios(name: string, text: string | undefined, fallback: Scenario[]): Scenario[] {
  if (text === undefined) return fallback;
  const names = text.split(",").map((part) => part.trim()).filter(Boolean);
  for (const entry of names) if (!isScenario(entry)) throw new Error(`--${name}: unknown transport "${entry}" (${ALL_SCENARIOS.join(", ")})`);
  return names as Scenario[];
}

function transports(name: string, text: string | undefined): TransportName[] {
  const names = (text ?? "websocket,sse").split(",").map((part) => part.trim()).filter(Boolean);
  for (const entry of names) if (!TransportName.safeParse(entry).success) throw new Error(`--${name}: unknown transport "${entry}" (${TransportName.options.join(", ")})`);
  return names as TransportName[];
}

export function parseLabOptions(argv: string[]): LabOptions | "help" {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--"),
    options: {
      scenarios: { type: "string" },
      "ramp-transports": { type: "string" },
      "ramp-subscribers": { type: "string" },
      "ramp-rates": { type: "string" },
      "p99-bound": { type: "string" },
      "idle-transports": { type: "string" },
      "idle-connections": { type: "string" },
      "cost-transports": { type: "string" },
      "cost-sizes": { type: "string" },
      "cost-rate": { type: "string" },
      "storm-transports": { type: "string" },
      "storm-clients": { type: "string" },
      "storm-redis": { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      payload: { type: "string" },
      "poll-interval": { type: "string" },
      retries: { type: "string" },
      "no-pin": { type: "boolean" },
      out: { type: "string" },
      docs: { type: "boolean" },
      "docs-dir": { type: "string" },
      from: { type: "string" },
      quick: { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) return "help";
  const quick = values.quick ?? false;
  const chosen = (values.scenarios ?? LAB_SCENARIOS.join(",")).split(",").map((part) => part.trim()).filter(Boolean);
  for (const entry of chosen) if (!(LAB_SCENARIOS as readonly string[]).includes(entry)) throw new Error(`--scenarios: unknown "${entry}" (${LAB_SCENARIOS.join(", ")})`);
  const one = (name: string, text: string | undefined, fallback: number) => numbers(name, text, [fallback])[0]!;
  return {
    scenarios: chosen as LabScenario[],
    quick,
    p99BoundMs: one("p99-bound", values["p99-bound"], 100),
    rampTransports: scenarios("ramp-transports", values["ramp-transports"], DEFAULT_RAMP),
    rampSubscribers: Math.floor(one("ramp-subscribers", values["ramp-subscribers"], quick ? 5 : 100)),
    rampRates: numbers("ramp-rates", values["ramp-rates"], quick ? [5, 10] : [100, 200, 400, 800, 1600, 3200]),
    idleTransports: scenarios("idle-transports", values["idle-transports"], DEFAULT_IDLE),
    idleConnections: Math.floor(one("idle-connections", values["idle-connections"], quick ? 50 : 10_000)),
    costTransports: scenarios("cost-transports", values["cost-transports"], DEFAULT_COST),
    costSizes: numbers("cost-sizes", values["cost-sizes"], quick ? [5, 20] : [100, 1000, 10_000]).map(Math.floor),
    costRate: one("cost-rate", values["cost-rate"], 2),
    stormTransports: transports("storm-transports", values["storm-transports"]),
    stormClients: Math.floor(one("storm-clients", values["storm-clients"], quick ? 100 : 1000)),
    stormRedisUrl: values["storm-redis"] ?? "redis://127.0.0.1:6379",
    durationS: one("duration", values.duration, quick ? 1 : 5),
    warmupS: values.warmup === "0" ? 0 : one("warmup", values.warmup, quick ? 0.5 : 2),
    payloadBytes: Math.floor(one("payload", values.payload, 200)),
    pollIntervalMs: one("poll-interval", values["poll-interval"], 1000),
    retries: values.retries === "0" ? 0 : Math.floor(one("retries", values.retries, quick ? 0 : 1)),
    pin: !values["no-pin"] && os.cpus().length >= 2 && process.platform === "linux",
    logLevel: "warn",
    outDir: values.out,
    docs: values.docs ?? false,
    docsDir: values["docs-dir"],
    from: values.from ? values.from.split(",").map((part) => part.trim()).filter(Boolean) : [],
  };
}

/** Guest sessions a lab row signs in at most; more subscribers share them round-robin (signing in 10,000 would take minutes). */
export const LAB_SESSIONS = 100;

/** The options of one bench row of the lab (the same row runner as `pnpm bench`). */
export function rowOptions(lab: LabOptions, row: { subscribers: number; rate: number; idle: number; drainTimeoutMs?: number }): BenchOptions {
  return {
    subscribers: row.subscribers,
    rate: row.rate,
    warmupS: lab.warmupS,
    durationS: lab.durationS,
    idle: row.idle,
    payloadBytes: lab.payloadBytes,
    pollIntervalMs: lab.pollIntervalMs,
    transports: [],
    baselines: false,
    quick: lab.quick,
    docs: false,
    logLevel: lab.logLevel,
    retries: lab.retries,
    pin: lab.pin,
    floods: [],
    floodSizes: DEFAULT_FLOOD_SIZES,
    drainTimeoutMs: row.drainTimeoutMs,
    sessions: Math.min(row.subscribers, LAB_SESSIONS),
    skipIdleCpu: true,
  };
}
