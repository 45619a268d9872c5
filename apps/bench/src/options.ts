import os from "node:os";
import { parseArgs } from "node:util";
import { DEFAULT_FLOOD_SIZES, FLOOD_KINDS, isFloodKind, type FloodKind, type FloodSizes } from "./flood/kinds";
import { isScenario, SWITCHBOARD_SCENARIOS, type Scenario } from "./scenarios";

export interface BenchOptions {
  subscribers: number;
  /** Messages published per second (each subscriber receives all of them). */
  rate: number;
  warmupS: number;
  durationS: number;
  /** Idle connections opened per transport for the heap measurement (0: skip). */
  idle: number;
  /** Approximate JSON size of each message's payload `{seq, sentAt, pad}`. */
  payloadBytes: number;
  pollIntervalMs: number;
  transports: Scenario[];
  baselines: boolean;
  quick: boolean;
  /** Where the JSON and Markdown results go (default: <repo>/bench/results). */
  outDir?: string;
  /** Also copy the Markdown to docs/benchmark.md (only when asked: a run never rewrites a tracked file by default). */
  docs: boolean;
  logLevel: string;
  /** Times a row is measured again when other processes kept the machine busy during its window. */
  retries: number;
  /** Pin the server process to CPU 0 and the load generator to CPU 1 (Linux, ≥ 2 CPUs). */
  pin: boolean;
  /** Write a V8 CPU profile of every server process and of the load generator into this folder. */
  profileDir?: string;
  /** Flood rows to run after the transport rows (none by default). */
  floods: FloodKind[];
  floodSizes: FloodSizes;
  /** Also run every Switchboard row on Redis (one instance; two behind nginx), at this Redis; unset: no Redis rows. */
  redis?: string;
  /** How long a row waits for the last messages after publishing stops (default: poll interval + 5 s); the lab's overload steps wait longer so late is not counted as lost. */
  drainTimeoutMs?: number;
  /** Skip the 2.5 s "server CPU with nothing published" window (the lab's ramp steps do not report it). */
  skipIdleCpu?: boolean;
  /** Guest sessions the subscribers sign in, shared round-robin (default: one per subscriber); the lab's 10,000-subscriber rows share 100. */
  sessions?: number;
}

export const USAGE = `Usage: pnpm bench [options]

  --subscribers N     subscribers per row (default 100; --quick 10)
  --rate R            messages published per second (default 20)
  --duration S        measured seconds per row (default 10; --quick 3)
  --warmup S          warm-up seconds per row (default 3; --quick 1)
  --idle M            idle connections for heap per connection, 0 to skip (default 1000; --quick 50)
  --transports LIST   comma-separated: websocket,sse,long-polling,polling and/or
                      bare-socketio,bare-ws,bare-sse,bare-long-poll,bare-poll
                      (default: the four transports; each brings its baselines), or none
  --flood LIST        also run flood rows: subscribe,session,poll or all (default: none).
                      Each: a fresh Switchboard with its default limits, --subscribers
                      well-behaved clients (half WebSocket, half SSE) measured without,
                      then with the attack; the attacker runs in a third process
  --flood-sockets N   subscribe flood: attacker sockets (default 4; --quick 2)
  --flood-packets N   subscribe flood: subscribe packets per socket (default 200; --quick 20)
  --flood-rss-limit M kill the server when its RSS passes M MiB (default 4096)
  --redis             also run each Switchboard transport on Redis: one instance, then two
                      behind nginx (round-robin), then in process at half the subscribers
                      (one instance's load: the two-instance CPU target's reference), with
                      ratios to the in-process row of the same run. Needs Redis and
                      PostgreSQL (TEST_DATABASE_URL, default
                      postgresql://postgres@127.0.0.1:5432/postgres; a fresh database per run)
  --redis-url URL     the Redis of --redis (default redis://127.0.0.1:6379)
  --no-baselines      run only the rows named in --transports
  --payload BYTES     payload size of each message (default 200)
  --poll-interval MS  short-polling interval (default 1000)
  --quick             a tiny run for smoke tests
  --out DIR           results folder (default <repo>/bench/results)
  --docs              also copy the Markdown to docs/benchmark.md (default: results go only
                      to the results folder)
  --log-level LEVEL   Switchboard log level (default warn)
  --retries N         measure a row again, up to N times, when other processes used > 10 % of
                      the machine during its window (default 2; --quick 0)
  --no-pin            let the OS schedule server and load generator (default: pinned to CPU 0 and 1)
  --profile DIR       write a .cpuprofile of every server process and the load generator to DIR (open in Chrome DevTools)
  --help`;

function positiveNumber(name: string, text: string | undefined, fallback: number, allowZero = false): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) throw new Error(`--${name} must be a ${allowZero ? "non-negative" : "positive"} number, got ${text}`);
  return value;
}

export function parseOptions(argv: string[]): BenchOptions | "help" {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--"),
    options: {
      subscribers: { type: "string" },
      rate: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      idle: { type: "string" },
      transports: { type: "string" },
      "no-baselines": { type: "boolean" },
      payload: { type: "string" },
      "poll-interval": { type: "string" },
      quick: { type: "boolean" },
      out: { type: "string" },
      docs: { type: "boolean" },
      "log-level": { type: "string" },
      profile: { type: "string" },
      "no-pin": { type: "boolean" },
      retries: { type: "string" },
      flood: { type: "string" },
      "flood-sockets": { type: "string" },
      "flood-packets": { type: "string" },
      "flood-rss-limit": { type: "string" },
      redis: { type: "boolean" },
      "redis-url": { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) return "help";
  const quick = values.quick ?? false;
  const list = (text: string) =>
    text
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean);
  const transports = values.transports === "none" ? [] : list(values.transports ?? SWITCHBOARD_SCENARIOS.join(","));
  for (const name of transports) if (!isScenario(name)) throw new Error(`unknown transport "${name}"`);
  if (transports.length === 0 && values.transports !== "none") throw new Error("--transports names no transport");
  const floods = values.flood === undefined ? [] : values.flood === "all" ? [...FLOOD_KINDS] : list(values.flood);
  for (const name of floods) if (!isFloodKind(name)) throw new Error(`unknown flood "${name}" (subscribe, session, poll or all)`);
  if (transports.length === 0 && floods.length === 0) throw new Error("nothing to run: --transports none and no --flood");
  return {
    subscribers: Math.floor(positiveNumber("subscribers", values.subscribers, quick ? 10 : 100)),
    rate: positiveNumber("rate", values.rate, 20),
    durationS: positiveNumber("duration", values.duration, quick ? 3 : 10),
    warmupS: positiveNumber("warmup", values.warmup, quick ? 1 : 3, true),
    idle: Math.floor(positiveNumber("idle", values.idle, quick ? 50 : 1000, true)),
    payloadBytes: Math.floor(positiveNumber("payload", values.payload, 200, true)),
    pollIntervalMs: positiveNumber("poll-interval", values["poll-interval"], 1000),
    transports: transports as Scenario[],
    baselines: !values["no-baselines"],
    quick,
    outDir: values.out,
    docs: values.docs ?? false,
    logLevel: values["log-level"] ?? "warn",
    profileDir: values.profile,
    retries: Math.floor(positiveNumber("retries", values.retries, quick ? 0 : 2, true)),
    pin: !values["no-pin"] && os.cpus().length >= 2 && process.platform === "linux",
    floods: floods as FloodKind[],
    redis: values.redis || values["redis-url"] !== undefined ? (values["redis-url"] ?? "redis://127.0.0.1:6379") : undefined,
    floodSizes: {
      ...DEFAULT_FLOOD_SIZES,
      sockets: Math.floor(positiveNumber("flood-sockets", values["flood-sockets"], quick ? 2 : DEFAULT_FLOOD_SIZES.sockets)),
      packetsPerSocket: Math.floor(positiveNumber("flood-packets", values["flood-packets"], quick ? 20 : DEFAULT_FLOOD_SIZES.packetsPerSocket)),
      rssLimitMiB: positiveNumber("flood-rss-limit", values["flood-rss-limit"], DEFAULT_FLOOD_SIZES.rssLimitMiB),
    },
  };
}
