import { leftOf, rightOf, stepCell } from "./directions";
import { isFree } from "./grid";
import type { Action, Cell, Direction, MatchState, Seat } from "./schemas";

/** Free cells in a straight line from `from` towards `dir`, up to `max`. */
function freeRun(state: MatchState, from: Cell, dir: Direction, max: number): number {
  let run = 0;
  for (let cell = stepCell(from, dir); run < max && isFree(state, cell); cell = stepCell(cell, dir)) run++;
  return run;
}

/**
 * A server-side player: keep going while the cell ahead is free; otherwise
 * turn to the side with the longer free run (left on a tie). Deterministic and
 * RNG-free; its answers become ordinary inputs, so replays need no bot code.
 */
export function botAction(state: MatchState, seat: Seat): Action | null {
  const cycle = state.cycles.find((c) => c.seat === seat);
  if (state.phase !== "playing" || cycle?.alive !== true) return null;
  if (isFree(state, stepCell(cycle.head, cycle.dir))) return null;
  const max = Math.max(state.config.width, state.config.height);
  const left = leftOf(cycle.dir);
  const right = rightOf(cycle.dir);
  const leftRun = freeRun(state, cycle.head, left, max);
  const rightRun = freeRun(state, cycle.head, right, max);
  if (leftRun === 0 && rightRun === 0) return null;
  return { type: "turn", dir: rightRun > leftRun ? right : left };
}
