import { botAction, isFree, leftOf, rightOf, stepCell, type Cell, type Direction, type MatchState, type Seat } from "@repo/game";

/** Free cells in a straight line from `from` towards `dir`, up to `max`. */
function freeRun(state: MatchState, from: Cell, dir: Direction, max: number): number {
  let run = 0;
  for (let cell = stepCell(from, dir); run < max && isFree(state, cell); cell = stepCell(cell, dir)) run++;
  return run;
}

/** A voluntary turn needs this much room on its side, so a player who turns for the sake of it rarely dies of it. */
const ROOM_TO_TURN = 6;

/**
 * A scripted player's choice on the state it has: the service bot's rule first
 * (turn when the cell ahead is blocked, so it stays alive), and otherwise,
 * once `turnEveryTicks` ticks have passed since its last turn, a turn to the
 * side with more room when that side has room. Pure: the same state, the same
 * answer (a player on a stale state chooses as stale, which is the point).
 */
export function chooseTurn(state: MatchState, seat: Seat, ticksSinceTurn: number, turnEveryTicks: number): Direction | null {
  const cycle = state.cycles.find((c) => c.seat === seat);
  if (state.phase !== "playing" || cycle?.alive !== true) return null;
  const forced = botAction(state, seat);
  if (forced?.type === "turn") return forced.dir;
  if (ticksSinceTurn < turnEveryTicks) return null;
  const max = ROOM_TO_TURN * 4;
  const left = freeRun(state, cycle.head, leftOf(cycle.dir), max);
  const right = freeRun(state, cycle.head, rightOf(cycle.dir), max);
  if (Math.max(left, right) < ROOM_TO_TURN) return null;
  return right > left ? rightOf(cycle.dir) : leftOf(cycle.dir);
}
