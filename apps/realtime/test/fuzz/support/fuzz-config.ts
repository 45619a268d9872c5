import { fc, test } from "@fast-check/vitest";
import { afterAll } from "vitest";

/**
 * The fuzz knobs, read here only (tests, not the service): `FUZZ_RUNS` cases
 * per property, `FUZZ_SEED` the seed (fixed by default, so a failure replays).
 */
function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** Cases per property. The default keeps the whole fuzz suite in the low thousands of cases. */
export const FUZZ_RUNS = Math.max(1, intFromEnv("FUZZ_RUNS", 60));
export const FUZZ_SEED = intFromEnv("FUZZ_SEED", 20_261_201);

/** Runs the well-behaved-client check once every this many cases of a property (and at its end). */
export const HEALTH_EVERY = Math.max(1, Math.ceil(FUZZ_RUNS / 4));

/**
 * Shrinking stops making progress after this long (ms): later shrink attempts
 * pass without running, so fast-check reports the smallest failure found so far.
 * The verdict never changes: a failing property still fails.
 */
const SHRINK_BUDGET_MS = Math.max(1000, intFromEnv("FUZZ_SHRINK_MS", 20_000));

/** A property's whole budget, shrinking included (each case bounds its own waits far below this). */
const PROPERTY_TIMEOUT_MS = 240_000;

interface EdgeStats {
  edge: string;
  cases: number;
  failing: number;
  /** Cases whose input the service accepted (valid by the protocol's schemas): shows the oracle lets some through. */
  accepted: number;
  runs: number;
  shrinks: number;
  /** When the first failure happened (shrinking starts), or 0. */
  firstFailureAt: number;
  shrinkCut: boolean;
  failed: boolean;
  counterexample: string;
}

const stats: EdgeStats[] = [];

/** Short, one-line rendering of a counterexample for the summary. */
export function describeValue(value: unknown, max = 240): string {
  let text: string;
  try {
    text = fc.stringify(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** Prints one summary line per edge at the end of the file: edge, cases run, failures, seed. */
export function printSummaryAfterAll(file: string) {
  afterAll(() => {
    const lines = stats.map(
      (s) =>
        `[fuzz] ${file} | ${s.edge} | cases=${s.cases} (runs=${s.runs}, shrinks=${s.shrinks}) | accepted=${s.accepted} | failing cases=${s.failing} | ` +
        `${s.failed ? `FAIL${s.shrinkCut ? ` (shrinking cut at ${SHRINK_BUDGET_MS} ms)` : ""} counterexample=${s.counterexample}` : "pass"}`,
    );
    console.log(`[fuzz] ${file}: seed=${FUZZ_SEED} FUZZ_RUNS=${FUZZ_RUNS}\n${lines.join("\n")}`);
  });
}

type Arbitraries<Ts extends unknown[]> = { [K in keyof Ts]: fc.Arbitrary<Ts[K]> };

/**
 * One property per edge: fast-check with the fixed seed, FUZZ_RUNS cases, the
 * given examples first (known killers always run), and a reporter that records
 * the edge's numbers before failing the test with fast-check's own report.
 */
export function fuzzEdge<Ts extends [unknown, ...unknown[]]>(
  edge: string,
  arbitraries: Arbitraries<Ts>,
  /** Resolves true when the service accepted the input (counted in the summary). */
  predicate: (...args: NoInfer<Ts>) => Promise<boolean | void>,
  options: { examples?: NoInfer<Ts>[]; runs?: number } = {},
) {
  const entry: EdgeStats = { edge, cases: 0, failing: 0, accepted: 0, runs: 0, shrinks: 0, firstFailureAt: 0, shrinkCut: false, failed: false, counterexample: "" };
  stats.push(entry);
  const params: fc.Parameters<Ts> = {
    seed: FUZZ_SEED,
    numRuns: options.runs ?? FUZZ_RUNS,
    examples: options.examples,
    // Cases talk to a real server: never run two at once, never give up on time.
    reporter(details) {
      entry.runs = details.numRuns;
      entry.shrinks = details.numShrinks;
      entry.failed = details.failed;
      if (details.failed) {
        entry.counterexample = describeValue(details.counterexample);
        throw new Error(fc.defaultReportMessage(details), { cause: details.errorInstance });
      }
    },
  };
  const tracked = async (...args: Ts) => {
    if (entry.firstFailureAt !== 0 && Date.now() - entry.firstFailureAt > SHRINK_BUDGET_MS) {
      entry.shrinkCut = true;
      return;
    }
    entry.cases++;
    try {
      if ((await predicate(...args)) === true) entry.accepted++;
    } catch (error) {
      entry.failing++;
      if (entry.firstFailureAt === 0) entry.firstFailureAt = Date.now();
      throw error;
    }
  };
  // @fast-check/vitest's conditional types do not resolve for a generic tuple: the shapes match by construction.
  const prop = test.prop as unknown as (
    arbitraries: Arbitraries<Ts>,
    params: fc.Parameters<Ts>,
  ) => (name: string, run: (...args: Ts) => Promise<void>, timeout: number) => void;
  prop(arbitraries, params)(edge, tracked, PROPERTY_TIMEOUT_MS);
}
