import { stepMatch } from "./match";
import type { MatchState, TickDelta } from "./schemas";

/** A delta that does not follow the state: the client missed a tick and must fetch a snapshot. */
export class TickGapError extends Error {
  readonly expectedTick: number;
  readonly gotTick: number;

  constructor(expectedTick: number, gotTick: number) {
    super(`Expected the delta of tick ${expectedTick}, got tick ${gotTick}`);
    this.name = "TickGapError";
    this.expectedTick = expectedTick;
    this.gotTick = gotTick;
  }
}

/**
 * The client's step: re-runs the server's sim with the inputs it applied at
 * `delta.tick`. Throws TickGapError unless delta.tick is state.tick + 1.
 */
export function applyDelta(state: MatchState, delta: TickDelta): MatchState {
  if (delta.tick !== state.tick + 1) throw new TickGapError(state.tick + 1, delta.tick);
  return stepMatch(state, delta.inputs).state;
}
