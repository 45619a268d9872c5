import type { Cell } from "./schemas";

/*
 * Pure helpers for smooth rendering between ticks. Ticks come at a fixed rate
 * but arrive unevenly (long-polling batches them, proxies buffer), so the
 * client renders a little in the past: far enough that the next state has
 * usually arrived, sized to the measured arrival jitter.
 */

export interface JitterEstimate {
  /** Arrival time (ms) and tick of the last observed state, null before the first. */
  lastArrivalMs: number | null;
  lastTick: number | null;
  /** Smoothed absolute deviation of arrivals from the tick schedule (ms). */
  jitterMs: number;
}

export function createJitterEstimate(): JitterEstimate {
  return { lastArrivalMs: null, lastTick: null, jitterMs: 0 };
}

/**
 * RFC 3550-style estimator: the deviation D is the arrival gap minus the gap
 * the ticks should have (ticks apart × tickMs); jitter moves 1/16 of the way
 * towards |D| per arrival.
 */
export function observeArrival(estimate: JitterEstimate, arrivalMs: number, tick: number, tickMs: number): JitterEstimate {
  if (estimate.lastArrivalMs === null || estimate.lastTick === null || tick <= estimate.lastTick) {
    return { ...estimate, lastArrivalMs: arrivalMs, lastTick: tick };
  }
  const deviation = arrivalMs - estimate.lastArrivalMs - (tick - estimate.lastTick) * tickMs;
  const jitterMs = estimate.jitterMs + (Math.abs(deviation) - estimate.jitterMs) / 16;
  return { lastArrivalMs: arrivalMs, lastTick: tick, jitterMs };
}

/** How far behind the newest state to render: at least 1.5 ticks, plus two jitters beyond one tick, at most 1 s. */
export function renderDelayMs(tickMs: number, jitterMs: number): number {
  return Math.min(1000, Math.max(1.5 * tickMs, tickMs + 2 * jitterMs));
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
