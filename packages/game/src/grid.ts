import type { Cell, CycleState, MatchState } from "./schemas";

/*
 * Occupancy: a Uint16Array of width*height holding seat+1 per trail cell (0 =
 * free). It is derived data, rebuildable from the cycles' corners at any time;
 * stepMatch hands each new state's grid forward through a per-object cache so a
 * tick only marks the cells that changed. States are immutable: never mutate a
 * state or a grid you got from here.
 */

export type Grid = Uint16Array;

const cache = new WeakMap<MatchState, Grid>();

export function cellIndex(width: number, cell: Cell): number {
  return cell.y * width + cell.x;
}

export function inBounds(width: number, height: number, cell: Cell): boolean {
  return cell.x >= 0 && cell.y >= 0 && cell.x < width && cell.y < height;
}

/** Every cell of a cycle's trail, spawn first, head last (none for an empty trail). */
export function trailCells(cycle: CycleState): Cell[] {
  if (cycle.corners.length === 0) return [];
  const points = [...cycle.corners, cycle.head];
  const cells: Cell[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i];
    const to = points[i + 1];
    if (from === undefined || to === undefined) continue;
    const dx = Math.sign(to.x - from.x);
    const dy = Math.sign(to.y - from.y);
    const steps = Math.max(Math.abs(to.x - from.x), Math.abs(to.y - from.y));
    // Each segment's first cell is the previous segment's last; emit it once.
    for (let s = i === 0 ? 0 : 1; s <= steps; s++) cells.push({ x: from.x + dx * s, y: from.y + dy * s });
  }
  return cells;
}

/** A fresh occupancy grid rasterized from every cycle's corners. */
export function buildGrid(state: Pick<MatchState, "config" | "cycles">): Grid {
  const { width, height } = state.config;
  const grid = new Uint16Array(width * height);
  for (const cycle of state.cycles) {
    for (const cell of trailCells(cycle)) {
      if (inBounds(width, height, cell)) grid[cellIndex(width, cell)] = cycle.seat + 1;
    }
  }
  return grid;
}

/** The state's occupancy grid (cached per state object). Read-only. */
export function occupancy(state: MatchState): Grid {
  let grid = cache.get(state);
  if (grid === undefined) {
    grid = buildGrid(state);
    cache.set(state, grid);
  }
  return grid;
}

/** Records `grid` as the occupancy of `state` (stepMatch: the grid it just derived). */
export function rememberGrid(state: MatchState, grid: Grid): void {
  cache.set(state, grid);
}

/** Whether `cell` is on the grid and no trail holds it. */
export function isFree(state: MatchState, cell: Cell): boolean {
  const { width, height } = state.config;
  return inBounds(width, height, cell) && occupancy(state)[cellIndex(width, cell)] === 0;
}

/** The state's grid if it is already known, without building it. */
export function peekGrid(state: MatchState): Grid | undefined {
  return cache.get(state);
}
