"use client";

import { GAME_LIMITS, type Direction, type Seat } from "@repo/game";
import { useEffect, useRef } from "react";
import type { RenderFrame } from "../state/tick-timeline";
import { boardSize, drawBoard } from "./draw-board";
import type { SeatNames } from "./seat-names";

/** Anything that says what to draw now: a live game (GameView) or a replay (ReplayPlayer). */
export interface FrameSource {
  frame(): RenderFrame | null;
}

const CELL_PX = 12;
/** A swipe shorter than this (CSS px) is a tap, not a turn. */
const SWIPE_MIN_PX = 24;

/**
 * The board: a 2D canvas redrawn every animation frame from `source` (React does not re-render
 * for it). Its accessible name says what is drawn; `data-tick` is the whole tick on it (tests read
 * it). With `onSteer`, a swipe on it steers (touch screens); the keys are the room's.
 */
export function GameBoard({
  source,
  names,
  mySeat,
  label,
  onSteer,
}: {
  source: FrameSource;
  names: SeatNames;
  mySeat: Seat | null;
  label: string;
  onSteer?: (dir: Direction) => void;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext("2d");
    if (!canvas || !ctx) return;
    let raf = 0;
    let shownTick = -1;
    let sized = "";
    const draw = () => {
      raf = requestAnimationFrame(draw);
      const frame = source.frame();
      if (!frame) return;
      const { width, height } = boardSize(frame.from, CELL_PX);
      const ratio = window.devicePixelRatio || 1;
      const size = `${width}x${height}@${ratio}`;
      if (size !== sized) {
        sized = size;
        canvas.width = Math.round(width * ratio);
        canvas.height = Math.round(height * ratio);
      }
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      drawBoard(ctx, frame, { cellPx: CELL_PX, mySeat, names });
      const tick = Math.floor(frame.tick);
      if (tick !== shownTick) {
        shownTick = tick;
        canvas.dataset.tick = String(tick);
      }
    };
    raf = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(raf);
  }, [source, names, mySeat]);

  // Swipes: where the pointer went down, and which way it moved when it came up.
  const swipeFrom = useRef<{ x: number; y: number } | null>(null);

  return (
    <canvas
      ref={canvasRef}
      role="img"
      aria-label={label}
      width={GAME_LIMITS.width * CELL_PX}
      height={GAME_LIMITS.height * CELL_PX}
      // As wide as the column, but never taller than the window leaves room for (the service's grid is 4:3).
      style={{ maxWidth: `calc((100dvh - 12rem) * ${GAME_LIMITS.width / GAME_LIMITS.height})` }}
      className="mx-auto block h-auto w-full touch-none rounded-lg bg-neutral-950 select-none"
      onPointerDown={(event) => {
        if (onSteer) swipeFrom.current = { x: event.clientX, y: event.clientY };
      }}
      onPointerUp={(event) => {
        const from = swipeFrom.current;
        swipeFrom.current = null;
        if (!from || !onSteer) return;
        const dx = event.clientX - from.x;
        const dy = event.clientY - from.y;
        if (Math.max(Math.abs(dx), Math.abs(dy)) < SWIPE_MIN_PX) return;
        onSteer(Math.abs(dx) > Math.abs(dy) ? (dx > 0 ? "right" : "left") : dy > 0 ? "down" : "up");
      }}
      onPointerCancel={() => {
        swipeFrom.current = null;
      }}
    />
  );
}
