import type { Cell, Direction } from "./schemas";

/* Integer grid geometry: one cell per tick, y grows downwards. */

export const DIRECTIONS: readonly Direction[] = ["up", "right", "down", "left"];

const DELTAS: Record<Direction, { dx: number; dy: number }> = {
  up: { dx: 0, dy: -1 },
  down: { dx: 0, dy: 1 },
  left: { dx: -1, dy: 0 },
  right: { dx: 1, dy: 0 },
};

const OPPOSITE: Record<Direction, Direction> = { up: "down", down: "up", left: "right", right: "left" };
const LEFT_OF: Record<Direction, Direction> = { up: "left", left: "down", down: "right", right: "up" };
const RIGHT_OF: Record<Direction, Direction> = { up: "right", right: "down", down: "left", left: "up" };

export function opposite(dir: Direction): Direction {
  return OPPOSITE[dir];
}

export function leftOf(dir: Direction): Direction {
  return LEFT_OF[dir];
}

export function rightOf(dir: Direction): Direction {
  return RIGHT_OF[dir];
}

/** The cell one step from `cell` towards `dir` (may be off the grid). */
export function stepCell(cell: Cell, dir: Direction): Cell {
  const d = DELTAS[dir];
  return { x: cell.x + d.dx, y: cell.y + d.dy };
}

/** Whether turning from `current` to `next` is a real turn: not the same way, not a 180° reversal. */
export function isLegalTurn(current: Direction, next: Direction): boolean {
  return next !== current && next !== OPPOSITE[current];
}

export function sameCell(a: Cell, b: Cell): boolean {
  return a.x === b.x && a.y === b.y;
}
