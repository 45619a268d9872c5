import type { Cell } from "./schemas";

/*
 * Pure helpers for smooth rendering between ticks. Ticks come at a fixed rate
 * but arrive unevenly (long-polling batches them, proxies buffer), so the
 * client renders a little in the past: far enough that the next state has
 * usually arrived, sized to the measured arrival jitter.
 */

/** How far back the arrival spread looks (ms): long enough to see a few short-poll batches. */
const JITTER_WINDOW_MS = 3000;
/** Longest render delay: a short poll of 1 s (the SDK's default) still plays smoothly, a second and a half behind at most. */
const MAX_RENDER_DELAY_MS = 1500;

export interface JitterEstimate {
  /** Recent arrivals' offsets from the tick schedule (arrival − tick × tickMs), oldest first, within the window. */
  samples: Array<{ atMs: number; offsetMs: number }>;
  /** The newest tick observed, null before the first. */
  lastTick: number | null;
  /**
   * The spread of those offsets (newest-in-batch to oldest-in-batch, ms): how much
   * earlier than its schedule one tick can arrive than another. A buffer this deep
   * always holds the next state, whether ticks come one by one or in batches.
   */
  jitterMs: number;
}

export function createJitterEstimate(): JitterEstimate {
  return { samples: [], lastTick: null, jitterMs: 0 };
}

/**
 * One tick arrived at `arrivalMs` (call it for every tick, also each of a
 * batch, with the batch's arrival time). Its offset from the tick schedule
 * joins the window; the jitter is the window's spread (max − min offset). A
 * mean deviation (RFC 3550) would call a 1 s batch of 15 ticks nearly steady
 * and undersize the buffer to a fraction of the batch.
 */
export function observeArrival(estimate: JitterEstimate, arrivalMs: number, tick: number, tickMs: number): JitterEstimate {
  if (estimate.lastTick !== null && tick <= estimate.lastTick) return estimate;
  const samples = [...estimate.samples.filter((sample) => arrivalMs - sample.atMs <= JITTER_WINDOW_MS), { atMs: arrivalMs, offsetMs: arrivalMs - tick * tickMs }];
  let min = Infinity;
  let max = -Infinity;
  for (const { offsetMs } of samples) {
    min = Math.min(min, offsetMs);
    max = Math.max(max, offsetMs);
  }
  return { samples, lastTick: tick, jitterMs: max - min };
}

/** How far behind the newest state to render: one tick plus the arrival spread, at least 1.5 ticks, at most 1.5 s. */
export function renderDelayMs(tickMs: number, jitterMs: number): number {
  return Math.min(MAX_RENDER_DELAY_MS, Math.max(1.5 * tickMs, tickMs + jitterMs));
}

/**
 * The (fractional) tick to draw at `nowMs`, given the newest tick and when it
 * arrived; never ahead of the newest tick. Draw states floor(t) and ceil(t)
 * mixed by t - floor(t).
 */
export function renderTick(latestTick: number, latestArrivalMs: number, nowMs: number, tickMs: number, delayMs: number): number {
  const t = latestTick + (nowMs - latestArrivalMs - delayMs) / tickMs;
  return Math.max(0, Math.min(latestTick, t));
}

/** A head's position between two ticks, in cell-centre coordinates; jumps (a respawn) snap to `to`. */
export function lerpHead(from: Cell, to: Cell, alpha: number): { x: number; y: number } {
  const a = Math.max(0, Math.min(1, alpha));
  if (Math.abs(to.x - from.x) + Math.abs(to.y - from.y) > 1) return { x: to.x + 0.5, y: to.y + 0.5 };
  return { x: from.x + 0.5 + (to.x - from.x) * a, y: from.y + 0.5 + (to.y - from.y) * a };
}
