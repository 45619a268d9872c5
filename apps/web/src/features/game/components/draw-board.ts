// Draws one frame of the board on a 2D canvas: the grid, every trail (through cell centres,
// spawn → turn points → head), each head between the two ticks around the drawn moment
// (@repo/game's lerpHead), a marker for my turn still on its way, and what the phase says
// (countdown, round over, game over).
import { lerpHead, type CycleState, type Direction, type MatchState, type Seat } from "@repo/game";
import type { RenderFrame } from "../state/tick-timeline";
import { seatColor } from "./seat-colors";
import type { SeatNames } from "./seat-names";

export interface BoardStyle {
  /** CSS pixels per cell. */
  cellPx: number;
  /** My seat (drawn with a ring), null when watching. */
  mySeat: Seat | null;
  names: SeatNames;
}

const BACKGROUND = "#0a0a0a";
const GRID = "rgba(255,255,255,0.05)";
const WALL = "rgba(255,255,255,0.35)";

export function boardSize(state: MatchState, cellPx: number): { width: number; height: number } {
  return { width: state.config.width * cellPx, height: state.config.height * cellPx };
}

export function drawBoard(ctx: CanvasRenderingContext2D, frame: RenderFrame, style: BoardStyle): void {
  const { from, to, alpha } = frame;
  const { cellPx } = style;
  const { width, height } = boardSize(from, cellPx);
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, width, height);
  drawGrid(ctx, from, cellPx);
  // A new round between the two states: no movement to draw across it.
  const sameRound = to.round === from.round;
  from.cycles.forEach((cycle, index) => {
    const next = sameRound ? to.cycles[index] : undefined;
    const head = drawCycle(ctx, cycle, next && next.alive ? next : undefined, alpha, style);
    if (head && frame.pendingTurn?.seat === cycle.seat && cycle.alive) drawPendingTurn(ctx, head, frame.pendingTurn.dir, seatColor(cycle.seat), cellPx);
  });
  drawPhase(ctx, from, style, width, height);
  ctx.strokeStyle = WALL;
  ctx.lineWidth = 2;
  ctx.strokeRect(1, 1, width - 2, height - 2);
}

function drawGrid(ctx: CanvasRenderingContext2D, state: MatchState, cellPx: number): void {
  ctx.strokeStyle = GRID;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let x = 4; x < state.config.width; x += 4) {
    ctx.moveTo(x * cellPx + 0.5, 0);
    ctx.lineTo(x * cellPx + 0.5, state.config.height * cellPx);
  }
  for (let y = 4; y < state.config.height; y += 4) {
    ctx.moveTo(0, y * cellPx + 0.5);
    ctx.lineTo(state.config.width * cellPx, y * cellPx + 0.5);
  }
  ctx.stroke();
}

function centre(value: number, cellPx: number): number {
  return (value + 0.5) * cellPx;
}

/** Draws one cycle's trail and head; returns where the head was drawn (cell units), null when it has no trail. */
function drawCycle(
  ctx: CanvasRenderingContext2D,
  cycle: CycleState,
  next: CycleState | undefined,
  alpha: number,
  style: BoardStyle,
): { x: number; y: number } | null {
  if (cycle.corners.length === 0) return null; // left before this round: no trail
  const { cellPx } = style;
  const color = seatColor(cycle.seat);
  const head = next ? lerpHead(cycle.head, next.head, alpha) : { x: cycle.head.x + 0.5, y: cycle.head.y + 0.5 };
  ctx.globalAlpha = cycle.alive ? 1 : 0.4;
  ctx.strokeStyle = color;
  ctx.lineWidth = Math.max(2, cellPx * 0.55);
  ctx.lineCap = "square";
  ctx.lineJoin = "miter";
  ctx.beginPath();
  const [first, ...rest] = cycle.corners;
  if (first) ctx.moveTo(centre(first.x, cellPx), centre(first.y, cellPx));
  for (const corner of rest) ctx.lineTo(centre(corner.x, cellPx), centre(corner.y, cellPx));
  ctx.lineTo(centre(cycle.head.x, cellPx), centre(cycle.head.y, cellPx));
  ctx.lineTo(head.x * cellPx, head.y * cellPx);
  ctx.stroke();
  // The head: a bright square, ringed when it is mine.
  const size = cellPx * 0.9;
  ctx.fillStyle = cycle.alive ? "#ffffff" : color;
  ctx.fillRect(head.x * cellPx - size / 2, head.y * cellPx - size / 2, size, size);
  if (cycle.seat === style.mySeat) {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.strokeRect(head.x * cellPx - size, head.y * cellPx - size, size * 2, size * 2);
  }
  ctx.globalAlpha = 1;
  return head;
}

const UNIT: Record<Direction, { dx: number; dy: number }> = {
  up: { dx: 0, dy: -1 },
  down: { dx: 0, dy: 1 },
  left: { dx: -1, dy: 0 },
  right: { dx: 1, dy: 0 },
};

/** A small arrowhead off my head, pointing where my sent turn will take it. */
function drawPendingTurn(ctx: CanvasRenderingContext2D, head: { x: number; y: number }, dir: Direction, color: string, cellPx: number): void {
  const { dx, dy } = UNIT[dir];
  const tipX = (head.x + dx * 1.9) * cellPx;
  const tipY = (head.y + dy * 1.9) * cellPx;
  const baseX = (head.x + dx * 1.1) * cellPx;
  const baseY = (head.y + dy * 1.1) * cellPx;
  const half = cellPx * 0.6;
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.moveTo(tipX, tipY);
  ctx.lineTo(baseX + dy * half, baseY + dx * half);
  ctx.lineTo(baseX - dy * half, baseY - dx * half);
  ctx.closePath();
  ctx.fill();
}

function drawPhase(ctx: CanvasRenderingContext2D, state: MatchState, style: BoardStyle, width: number, height: number): void {
  let text: string | null = null;
  if (state.phase === "countdown") text = String(Math.ceil(state.phaseTicksLeft / state.config.tickHz));
  else if (state.phase === "roundOver") text = state.roundWinner === null ? "Draw" : `${nameOf(state.roundWinner, style)} takes the round`;
  else if (state.phase === "gameOver") text = state.winner === null ? "Game over: a draw" : `${nameOf(state.winner, style)} wins`;
  if (text === null) return;
  ctx.fillStyle = "rgba(0,0,0,0.45)";
  ctx.fillRect(0, height / 2 - 36, width, 72);
  ctx.fillStyle = "#ffffff";
  ctx.font = `600 ${state.phase === "countdown" ? 48 : 28}px system-ui, sans-serif`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(text, width / 2, height / 2, width - 32);
}

function nameOf(seat: Seat, style: BoardStyle): string {
  return style.names.get(seat) ?? `Seat ${seat + 1}`;
}
