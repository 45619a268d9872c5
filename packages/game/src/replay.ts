import { createMatch, stepMatch } from "./match";
import type { InputLogEntry, MatchConfig, MatchState, TickDelta, TickInput } from "./schemas";

/** The log entries of one applied delta (what the service stores per tick). */
export function logEntriesOf(delta: TickDelta): InputLogEntry[] {
  return delta.inputs.map((input) => ({ tick: delta.tick, seat: input.seat, action: input.action }));
}

function inputsByTick(log: readonly InputLogEntry[]): Map<number, TickInput[]> {
  const byTick = new Map<number, TickInput[]>();
  for (const entry of log) {
    const inputs = byTick.get(entry.tick) ?? [];
    inputs.push({ seat: entry.seat, action: entry.action });
    byTick.set(entry.tick, inputs);
  }
  return byTick;
}

/**
 * Re-runs a stored game from its config (seed) and input log: yields the
 * state at tick 0, then after every tick, up to and including gameOver (which
 * always comes: at the latest at GAME_LIMITS.maxGameTicks).
 */
export function* replayMatch(config: MatchConfig, log: readonly InputLogEntry[]): Generator<MatchState, void, undefined> {
  const byTick = inputsByTick(log);
  let state = createMatch(config);
  yield state;
  while (state.phase !== "gameOver") {
    state = stepMatch(state, byTick.get(state.tick + 1) ?? []).state;
    yield state;
  }
}

/** The state a replay ends in: the stored game's result. */
export function finalState(config: MatchConfig, log: readonly InputLogEntry[]): MatchState {
  let last: MatchState | undefined;
  for (const state of replayMatch(config, log)) last = state;
  // replayMatch always yields at least the initial state.
  return last ?? createMatch(config);
}
