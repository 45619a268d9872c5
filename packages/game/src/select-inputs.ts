import { isLegalTurn } from "./directions";
import type { Direction, MatchState, Seat, TickInput } from "./schemas";

/** The inputs that take effect this tick, and the same list in canonical order for the delta. */
export interface SelectedInputs {
  leaves: Set<Seat>;
  turns: Map<Seat, Direction>;
  applied: TickInput[];
}

/*
 * Filters what the service offers down to what the sim applies: a leave from a
 * seat still in the game (any phase); in "playing" only, the first legal turn
 * of each live cycle that is not leaving (no reversal, no same-direction turn).
 * Everything else is ignored, and left out of the delta, so a client applying
 * the delta gets the same result. `applied` is ordered by config.seats, leave
 * before turn, whatever order the inputs came in.
 */
export function selectInputs(state: MatchState, inputs: readonly TickInput[]): SelectedInputs {
  const leaves = new Set<Seat>();
  const turns = new Map<Seat, Direction>();
  for (const input of inputs) {
    if (input.action.type === "leave") leaves.add(input.seat);
  }
  for (const input of inputs) {
    const { seat, action } = input;
    if (action.type !== "turn" || state.phase !== "playing" || leaves.has(seat) || turns.has(seat)) continue;
    const cycle = state.cycles.find((c) => c.seat === seat);
    if (cycle?.alive === true && isLegalTurn(cycle.dir, action.dir)) turns.set(seat, action.dir);
  }
  const applied: TickInput[] = [];
  for (const cycle of state.cycles) {
    if (leaves.has(cycle.seat) && !cycle.left) applied.push({ seat: cycle.seat, action: { type: "leave" } });
    const dir = turns.get(cycle.seat);
    if (dir !== undefined) applied.push({ seat: cycle.seat, action: { type: "turn", dir } });
  }
  for (const seat of leaves) {
    if (!state.cycles.some((c) => c.seat === seat && !c.left)) leaves.delete(seat);
  }
  return { leaves, turns, applied };
}
