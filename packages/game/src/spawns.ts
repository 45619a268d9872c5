import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus, xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import { DIRECTIONS, stepCell } from "./directions";
import { inBounds } from "./grid";
import type { Cell, CycleState, Direction, MatchConfig, Seat } from "./schemas";

/*
 * Seeded spawns. The random stream lives in the state (MatchState.rng), so a
 * snapshot taken mid-game spawns the next rounds exactly as the server does.
 * pure-rand v8 generators mutate in place: each call works on a generator
 * rebuilt from the stored state and returns the state it ends in.
 */

/** The generator state a match starts from. */
export function initialRng(seed: number): number[] {
  return [...xoroshiro128plus(seed | 0).getState()];
}

/** Cells in a straight line from `cell` towards `dir` before the wall. */
function runToWall(config: MatchConfig, cell: Cell, dir: Direction): number {
  let run = 0;
  for (let next = stepCell(cell, dir); inBounds(config.width, config.height, next); next = stepCell(next, dir)) run++;
  return run;
}

function chebyshev(a: Cell, b: Cell): number {
  return Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y));
}

/** Spawns keep this far from the walls. */
function margin(config: MatchConfig): number {
  return Math.max(2, Math.floor(Math.min(config.width, config.height) / 6));
}

/** Picks spawn cells at random, apart from each other and the walls; the spacing shrinks if the grid is crowded. */
function pickCells(config: MatchConfig, count: number, next: (from: number, to: number) => number): Cell[] {
  const side = Math.min(config.width, config.height);
  const edge = margin(config);
  let spacing = Math.max(2, Math.floor(side / 3));
  const cells: Cell[] = [];
  let misses = 0;
  while (cells.length < count) {
    const cell = { x: next(edge, config.width - 1 - edge), y: next(edge, config.height - 1 - edge) };
    if (cells.every((other) => chebyshev(other, cell) >= spacing)) {
      cells.push(cell);
    } else if (++misses >= 40) {
      // Spacing 1 only needs distinct cells, which always exist: the loop ends.
      misses = 0;
      spacing = Math.max(1, spacing - 1);
    }
  }
  return cells;
}

/**
 * Spawns `seats` (in order) for a new round: a cell each and a heading with a
 * long run before the wall. Returns the cycles and the generator's next state.
 */
export function spawnCycles(config: MatchConfig, seats: readonly Seat[], rng: readonly number[]): { cycles: CycleState[]; rng: number[] } {
  const generator = xoroshiro128plusFromState(rng);
  const next = (from: number, to: number) => uniformInt(generator, from, to);
  const cells = pickCells(config, seats.length, next);
  const longRun = Math.floor(Math.min(config.width, config.height) / 3);
  const cycles = seats.map((seat, i): CycleState => {
    const head = cells[i] ?? { x: margin(config), y: margin(config) };
    const runs = DIRECTIONS.map((dir) => ({ dir, run: runToWall(config, head, dir) }));
    // Headings with a long way to the wall; a crowded small grid may have none, then the longest.
    const open = runs.filter((r) => r.run >= longRun).map((r) => r.dir);
    const longest = runs.reduce<{ dir: Direction; run: number }>((best, r) => (r.run > best.run ? r : best), { dir: "up", run: -1 });
    const dir = open.length > 0 ? (open[next(0, open.length - 1)] ?? longest.dir) : longest.dir;
    return { seat, alive: true, left: false, dir, head, corners: [head] };
  });
  return { cycles, rng: [...generator.getState()] };
}
