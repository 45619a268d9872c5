import { sameCell, stepCell } from "./directions";
import { cellIndex, inBounds, occupancy, type Grid } from "./grid";
import type { CycleState, Direction, MatchState, Seat } from "./schemas";

/*
 * One tick of movement, all cycles at once:
 *   1. every live cycle turns (if it has a turn) and aims one cell ahead;
 *   2. off the grid → dies; onto any trail cell → dies (heads are trail cells,
 *      so a head-on swap, and following into a head, kill too);
 *   3. two or more heads aiming at one free cell → all of them die;
 *   4. the rest move and their new cells are marked.
 * A cycle that dies stays where it was: no cell ever gets two owners.
 */
export function moveCycles(state: MatchState, cycles: readonly CycleState[], turns: ReadonlyMap<Seat, Direction>): { cycles: CycleState[]; grid: Grid } {
  const { width, height } = state.config;
  const before = occupancy(state);
  const plans = cycles.map((cycle) => {
    if (!cycle.alive) return null;
    const dir = turns.get(cycle.seat) ?? cycle.dir;
    const to = stepCell(cycle.head, dir);
    const onGrid = inBounds(width, height, to);
    return { dir, to, onGrid, index: onGrid ? cellIndex(width, to) : -1 };
  });
  const aimed = new Map<number, number>();
  for (const plan of plans) {
    if (plan?.onGrid === true) aimed.set(plan.index, (aimed.get(plan.index) ?? 0) + 1);
  }
  const grid = before.slice();
  const moved = cycles.map((cycle, i): CycleState => {
    const plan = plans[i];
    if (plan == null) return cycle;
    const dies = !plan.onGrid || before[plan.index] !== 0 || (aimed.get(plan.index) ?? 0) > 1;
    if (dies) return { ...cycle, alive: false, dir: plan.dir };
    grid[plan.index] = cycle.seat + 1;
    // A turn closes the straight segment at the cell the cycle turned in (unless one starts there: the spawn).
    const last = cycle.corners[cycle.corners.length - 1];
    const turned = plan.dir !== cycle.dir && (last === undefined || !sameCell(last, cycle.head));
    const corners = turned ? [...cycle.corners, cycle.head] : cycle.corners;
    return { ...cycle, dir: plan.dir, head: plan.to, corners };
  });
  return { cycles: moved, grid };
}
