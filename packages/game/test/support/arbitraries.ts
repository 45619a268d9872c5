import { fc } from "@fast-check/vitest";
import { createMatch, stepMatch, type Action, type MatchConfig, type MatchState, type TickDelta, type TickInput } from "../../src/index";
import { botInputs } from "./matches";

/** Fixed, so a failing property replays; a modest number of runs for the 2-core machine. */
export const PROPERTY_PARAMS = { seed: 20_261_201, numRuns: 40 } as const;

/** Ticks per generated game: enough for a few countdowns and rounds at 5–10 Hz. */
export const SCRIPT_TICKS = 400;

export const configArb: fc.Arbitrary<MatchConfig> = fc.record({
  seed: fc.nat({ max: 0xffff_ffff }),
  width: fc.integer({ min: 16, max: 40 }),
  height: fc.integer({ min: 16, max: 40 }),
  roundsToWin: fc.integer({ min: 1, max: 3 }),
  tickHz: fc.integer({ min: 5, max: 10 }),
  seats: fc.uniqueArray(
    fc.record({ seat: fc.integer({ min: 0, max: 7 }), kind: fc.constantFrom<"human" | "bot">("human", "bot") }),
    { minLength: 2, maxLength: 8, selector: (s) => s.seat },
  ),
});

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ type: fc.constant("turn"), dir: fc.constantFrom("up", "down", "left", "right") }) },
  { weight: 1, arbitrary: fc.constant({ type: "leave" }) },
);

/** Inputs by tick as a service might collect them: any seat (some not in the game), any action, several per tick. */
export const scriptArb: fc.Arbitrary<Map<number, TickInput[]>> = fc
  .array(fc.record({ tick: fc.integer({ min: 1, max: SCRIPT_TICKS }), seat: fc.integer({ min: 0, max: 8 }), action: actionArb }), {
    maxLength: 300,
    size: "medium",
  })
  .map((entries) => {
    const byTick = new Map<number, TickInput[]>();
    for (const { tick, seat, action } of entries) byTick.set(tick, [...(byTick.get(tick) ?? []), { seat, action }]);
    return byTick;
  });

export interface RecordedRun {
  states: MatchState[];
  deltas: TickDelta[];
  /** Exactly what was handed to stepMatch at each tick (index = tick - 1). */
  given: TickInput[][];
}

/** Plays SCRIPT_TICKS ticks (or to gameOver): scripted inputs, and bot seats follow botAction. */
export function runScript(config: MatchConfig, script: Map<number, TickInput[]>, onStep?: (state: MatchState) => void): RecordedRun {
  let state = createMatch(config);
  const run: RecordedRun = { states: [state], deltas: [], given: [] };
  const bots = new Set(config.seats.filter((s) => s.kind === "bot").map((s) => s.seat));
  while (state.tick < SCRIPT_TICKS && state.phase !== "gameOver") {
    const inputs = [...(script.get(state.tick + 1) ?? []), ...botInputs(state).filter((i) => bots.has(i.seat))];
    onStep?.(state);
    const { state: next, delta } = stepMatch(state, inputs);
    run.states.push(next);
    run.deltas.push(delta);
    run.given.push(inputs);
    state = next;
  }
  return run;
}

/** Consecutive pairs of a run's states. */
export function* pairs<T>(items: readonly T[]): Generator<[T, T]> {
  for (let i = 0; i + 1 < items.length; i++) {
    const a = items[i];
    const b = items[i + 1];
    if (a !== undefined && b !== undefined) yield [a, b];
  }
}
