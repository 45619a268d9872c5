import os from "node:os";
import { parseArgs } from "node:util";
import { GAME_LIMITS } from "@repo/game";
import { TRANSPORT_NAMES, type TransportName } from "@repo/protocol";
import { LATENESS_BOUNDS_MS } from "./lateness";

export interface GameBenchOptions {
  /** Transports of the figure rows, in this order. */
  transports: TransportName[];
  /** Games played at once in each figure row. */
  games: number;
  /** Human seats per game (SDK clients on the row's transport); the rest are the service's bots. */
  humans: number;
  bots: number;
  tickHz: number;
  /** Round wins that win a game (high, so a window rarely sees a game end; one that ends is rematched). */
  roundsToWin: number;
  /** A player turns on its own (when it is safe) at most this often, besides the bot rule that keeps it alive. */
  turnEveryTicks: number;
  warmupS: number;
  durationS: number;
  pollIntervalMs: number;
  /** Run the bare socket.io game server as the WebSocket row's baseline (figures and capacity). */
  baseline: boolean;
  /** Capacity ramp: game counts to try, ascending (empty: no capacity run). */
  capacitySteps: number[];
  /** Measured seconds per capacity step. */
  stepDurationS: number;
  /** p99 tick lateness a capacity step must stay within. */
  latenessLimitMs: number;
  retries: number;
  pin: boolean;
  quick: boolean;
  outDir?: string;
  logLevel: string;
}

/** A flag the bench cannot run with: which one, and why. */
export class GameBenchOptionError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
    this.name = "GameBenchOptionError";
  }
}

const DEFAULT_CAPACITY_STEPS = [25, 50, 100, 150, 200, 300, 400, 500, 650, 800, 1000, 1250, 1500, 2000];
const QUICK_CAPACITY_STEPS = [2, 4];

export const GAME_USAGE = `Usage: pnpm bench:game [options]

Figure rows (one per transport; a fresh service and load generator each):
  --transports LIST    comma-separated: ${TRANSPORT_NAMES.join(",")} (default: all four)
  --games N            games played at once per row (default 20; --quick 2)
  --humans N           human seats per game: SDK clients on the row's transport (default 2)
  --bots N             server-side bots per game (default 2)
  --tick-hz HZ         ticks per second (default ${GAME_LIMITS.tickHzDefault}; ${GAME_LIMITS.tickHzMin}-${GAME_LIMITS.tickHzMax})
  --rounds N           round wins that win a game (default ${GAME_LIMITS.roundsToWinMax}; a game that ends is rematched)
  --turn-every TICKS   a player turns on its own at most every TICKS ticks, when safe (default 8)
  --warmup S           seconds played before the window (default 2; --quick 1)
  --duration S         measured seconds per row (default 20; --quick 4)
  --poll-interval MS   short-polling interval of the SDK (default 1000, the SDK's default)
  --no-baseline        skip the bare socket.io game server (the WebSocket row's baseline)

Capacity (games of 1 host following on WebSocket + 3 bots; stops at the first step that misses):
  --capacity LIST      game counts to try, ascending, or none
                       (default ${DEFAULT_CAPACITY_STEPS.join(",")}; --quick ${QUICK_CAPACITY_STEPS.join(",")})
  --step-duration S    measured seconds per step (default 10; --quick 3)
  --lateness-ms MS     p99 tick lateness a step must stay within (default 10; one of the
                       service's histogram bounds: ${LATENESS_BOUNDS_MS.join(", ")})

  --retries N          measure a row or a missed step again when other processes used > 10 % of
                       the machine during it (default 2; --quick 0)
  --no-pin             let the OS schedule the processes (default: service on CPU 0, clients on CPU 1)
  --quick              a tiny run for smoke tests
  --out DIR            results folder (default <repo>/bench/results)
  --log-level LEVEL    the service's log level (default warn)
  --help`;

function number(flag: string, text: string | undefined, fallback: number, range: { min: number; max?: number; integer?: boolean }): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new GameBenchOptionError(flag, `expected a number, got "${text}"`);
  if (range.integer && !Number.isInteger(value)) throw new GameBenchOptionError(flag, `expected a whole number, got "${text}"`);
  if (value < range.min || (range.max !== undefined && value > range.max)) {
    throw new GameBenchOptionError(flag, `must be ${range.max === undefined ? `at least ${range.min}` : `between ${range.min} and ${range.max}`}, got ${text}`);
  }
  return value;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function logLevel(text: string | undefined): string {
  if (text === undefined) return "warn";
  if (!LOG_LEVELS.includes(text)) throw new GameBenchOptionError("--log-level", `one of ${LOG_LEVELS.join(", ")}, got "${text}"`);
  return text;
}

/** Only a bucket bound of the service's histogram can be checked exactly. */
function latenessLimit(text: string | undefined): number {
  const value = number("--lateness-ms", text, 10, { min: 1, max: 1000 });
  if (!LATENESS_BOUNDS_MS.includes(value)) {
    throw new GameBenchOptionError("--lateness-ms", `must be a bound of the service's lateness histogram (${LATENESS_BOUNDS_MS.join(", ")} ms), got ${text}`);
  }
  return value;
}

function transportList(text: string | undefined): TransportName[] {
  if (text === undefined) return [...TRANSPORT_NAMES];
  if (text === "none") return [];
  const names = text.split(",").map((name) => name.trim()).filter(Boolean);
  if (names.length === 0) throw new GameBenchOptionError("--transports", "names no transport");
  const transports: TransportName[] = [];
  for (const name of names) {
    const transport = TRANSPORT_NAMES.find((known) => known === name);
    if (!transport) throw new GameBenchOptionError("--transports", `unknown transport "${name}" (known: ${TRANSPORT_NAMES.join(", ")}, or none)`);
    if (!transports.includes(transport)) transports.push(transport);
  }
  return transports;
}

function stepList(text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  if (text === "none") return [];
  const steps = text.split(",").map((part) => number("--capacity", part.trim(), 0, { min: 1, max: 100_000, integer: true }));
  if (steps.length === 0) throw new GameBenchOptionError("--capacity", "names no step");
  for (let i = 1; i < steps.length; i++) {
    if (steps[i]! <= steps[i - 1]!) throw new GameBenchOptionError("--capacity", `steps must grow, got ${steps[i - 1]} then ${steps[i]}`);
  }
  return steps;
}

function readFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv.filter((arg) => arg !== "--"),
      options: {
        transports: { type: "string" },
        games: { type: "string" },
        humans: { type: "string" },
        bots: { type: "string" },
        "tick-hz": { type: "string" },
        rounds: { type: "string" },
        "turn-every": { type: "string" },
        warmup: { type: "string" },
        duration: { type: "string" },
        "poll-interval": { type: "string" },
        "no-baseline": { type: "boolean" },
        capacity: { type: "string" },
        "step-duration": { type: "string" },
        "lateness-ms": { type: "string" },
        retries: { type: "string" },
        "no-pin": { type: "boolean" },
        quick: { type: "boolean" },
        out: { type: "string" },
        "log-level": { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    // parseArgs names the flag in its message (unknown option, missing value).
    throw new GameBenchOptionError("flags", error instanceof Error ? error.message : String(error));
  }
}

/** The flags of `pnpm bench:game`, checked; "help" for --help. Throws GameBenchOptionError on a bad flag. */
export function parseGameOptions(argv: string[]): GameBenchOptions | "help" {
  const values = readFlags(argv);
  if (values.help) return "help";
  const quick = values.quick ?? false;
  const humans = number("--humans", values.humans, 2, { min: 1, max: GAME_LIMITS.maxSeats, integer: true });
  const bots = number("--bots", values.bots, 2, { min: 0, max: GAME_LIMITS.maxSeats - 1, integer: true });
  if (humans + bots < GAME_LIMITS.minSeats || humans + bots > GAME_LIMITS.maxSeats) {
    throw new GameBenchOptionError("--humans/--bots", `a game has ${GAME_LIMITS.minSeats}-${GAME_LIMITS.maxSeats} seats, got ${humans} + ${bots}`);
  }
  const transports = transportList(values.transports);
  const capacitySteps = stepList(values.capacity, quick ? QUICK_CAPACITY_STEPS : DEFAULT_CAPACITY_STEPS);
  const baseline = !values["no-baseline"];
  if (transports.length === 0 && capacitySteps.length === 0) throw new GameBenchOptionError("--transports", "nothing to run: no transport and --capacity none");
  return {
    transports,
    games: number("--games", values.games, quick ? 2 : 20, { min: 1, max: 10_000, integer: true }),
    humans,
    bots,
    tickHz: number("--tick-hz", values["tick-hz"], GAME_LIMITS.tickHzDefault, { min: GAME_LIMITS.tickHzMin, max: GAME_LIMITS.tickHzMax, integer: true }),
    roundsToWin: number("--rounds", values.rounds, GAME_LIMITS.roundsToWinMax, { min: 1, max: GAME_LIMITS.roundsToWinMax, integer: true }),
    turnEveryTicks: number("--turn-every", values["turn-every"], 8, { min: 1, max: 1000, integer: true }),
    warmupS: number("--warmup", values.warmup, quick ? 1 : 2, { min: 0, max: 600 }),
    durationS: number("--duration", values.duration, quick ? 4 : 20, { min: 1, max: 3600 }),
    pollIntervalMs: number("--poll-interval", values["poll-interval"], 1000, { min: 10, max: 60_000 }),
    baseline,
    capacitySteps,
    stepDurationS: number("--step-duration", values["step-duration"], quick ? 3 : 10, { min: 1, max: 600 }),
    latenessLimitMs: latenessLimit(values["lateness-ms"]),
    retries: number("--retries", values.retries, quick ? 0 : 2, { min: 0, max: 10, integer: true }),
    pin: !values["no-pin"] && os.cpus().length >= 2 && process.platform === "linux",
    quick,
    outDir: values.out,
    logLevel: logLevel(values["log-level"]),
  };
}
