import type { LabSettings } from "@repo/protocol";

/**
 * When the k-th message after a (re)configure is due, in ms after that
 * moment: each second holds `rate` messages, evenly spaced over the first
 * (1 − burstiness) of the second (burstiness 1: all at the second's start).
 */
export function dueOffsetMs(settings: Pick<LabSettings, "rate" | "burstiness">, k: number): number {
  const second = Math.floor(k / settings.rate);
  const within = k % settings.rate;
  return second * 1000 + (within * (1 - settings.burstiness) * 1000) / settings.rate;
}

/** A stream behind its schedule by more than this (a stalled event loop) starts its schedule over instead of catching up in one burst. */
export const MAX_LAG_MS = 1000;
