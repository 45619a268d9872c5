import os from "node:os";
import { parseArgs } from "node:util";
import { ALL_PAIRS, parsePairs, QUICK_PAIRS, type TransportPair } from "./pairs";

export interface FlagBenchOptions {
  /** Client counts, one table section each, in this order. */
  clients: number[];
  /** The flips measured at each client count. */
  pairs: TransportPair[];
  /** Chat messages the publisher sends per second through every row. */
  rate: number;
  /** How long a flip may take before the clients not yet on the new transport count as unswitched. */
  switchTimeoutS: number;
  /** Seconds every client spends on `from`, messages flowing, before the flip. */
  settleS: number;
  pin: boolean;
  quick: boolean;
  outDir?: string;
  logLevel: string;
}

/** A flag the bench cannot run with: which one, and why. */
export class FlagBenchOptionError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
    this.name = "FlagBenchOptionError";
  }
}

export const FLAGS_USAGE = `Usage: pnpm bench:flags [options]

The time from a transport.chat change (PUT /v1/admin/flags) to the last client open on the new
transport, per ordered transport pair, with chat messages flowing (each client checks every one).

  --clients LIST       client counts, comma-separated (default 100,1000; --quick 20)
  --pairs LIST         from:to pairs, comma-separated; * for any side (default: all 12;
                       --quick ${QUICK_PAIRS.map((pair) => `${pair.from}:${pair.to}`).join(",")}), e.g. websocket:*,sse:polling
  --rate R             chat messages per second through every row (default 10)
  --switch-timeout S   seconds a flip may take before a client counts as unswitched (default 30)
  --settle S           seconds on the old transport, messages flowing, before each flip (default 1)
  --no-pin             let the OS schedule the processes (default: service on CPU 0, clients on CPU 1)
  --quick              ${QUICK_PAIRS.length} pairs × 20 clients, for CI; exit 1 on any lost, doubled or unswitched
  --out DIR            results folder (default <repo>/bench/results)
  --log-level LEVEL    the service's log level (default warn)
  --help

Exit status 1 when any row lost or doubled a message, left a client unswitched or failed.`;

function number(flag: string, text: string, range: { min: number; max: number; integer?: boolean }): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new FlagBenchOptionError(flag, `expected a number, got "${text}"`);
  if (range.integer && !Number.isInteger(value)) throw new FlagBenchOptionError(flag, `expected a whole number, got "${text}"`);
  if (value < range.min || value > range.max) throw new FlagBenchOptionError(flag, `must be between ${range.min} and ${range.max}, got ${text}`);
  return value;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function readFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv.filter((arg) => arg !== "--"),
      options: {
        clients: { type: "string" },
        pairs: { type: "string" },
        rate: { type: "string" },
        "switch-timeout": { type: "string" },
        settle: { type: "string" },
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
    throw new FlagBenchOptionError("flags", error instanceof Error ? error.message : String(error));
  }
}

/** The flags of `pnpm bench:flags`, checked; "help" for --help. Throws FlagBenchOptionError on a bad flag. */
export function parseFlagOptions(argv: string[]): FlagBenchOptions | "help" {
  const values = readFlags(argv);
  if (values.help) return "help";
  const quick = values.quick ?? false;
  const clients = (values.clients ?? (quick ? "20" : "100,1000")).split(",").map((part) => number("--clients", part, { min: 1, max: 10_000, integer: true }));
  let pairs: TransportPair[];
  try {
    pairs = values.pairs === undefined ? [...(quick ? QUICK_PAIRS : ALL_PAIRS)] : parsePairs(values.pairs);
  } catch (error) {
    throw new FlagBenchOptionError("--pairs", error instanceof Error ? error.message : String(error));
  }
  const logLevel = values["log-level"] ?? "warn";
  if (!LOG_LEVELS.includes(logLevel)) throw new FlagBenchOptionError("--log-level", `one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  return {
    clients,
    pairs,
    rate: values.rate === undefined ? 10 : number("--rate", values.rate, { min: 0.1, max: 100 }),
    switchTimeoutS: values["switch-timeout"] === undefined ? 30 : number("--switch-timeout", values["switch-timeout"], { min: 0.01, max: 600 }),
    settleS: values.settle === undefined ? 1 : number("--settle", values.settle, { min: 0, max: 60 }),
    pin: !values["no-pin"] && os.cpus().length >= 2 && process.platform === "linux",
    quick,
    outDir: values.out,
    logLevel,
  };
}
