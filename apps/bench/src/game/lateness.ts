/**
 * Tick lateness as a cumulative histogram (Prometheus style: `counts[i]` ticks
 * at most `boundsMs[i]` late; `count` ticks in all). The service's is
 * `switchboard_game_tick_lateness_seconds` from its /metrics registry; the bare
 * game server keeps one with the same bounds. A window is the difference of
 * two readings, and its percentiles are known only to a bucket's bound.
 */
export interface LatenessHistogram {
  boundsMs: number[];
  counts: number[];
  count: number;
  sumMs: number;
}

/** The service's bucket bounds (game-metrics.ts), which the bare server copies so both read alike. */
export const LATENESS_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 250, 1000];

export function emptyLateness(boundsMs: number[] = LATENESS_BOUNDS_MS): LatenessHistogram {
  return { boundsMs: [...boundsMs], counts: boundsMs.map(() => 0), count: 0, sumMs: 0 };
}

/** Records one tick's lateness (the bare server). */
export function observeLateness(histogram: LatenessHistogram, ms: number): void {
  histogram.count++;
  histogram.sumMs += ms;
  for (let i = 0; i < histogram.boundsMs.length; i++) if (ms <= histogram.boundsMs[i]!) histogram.counts[i]!++;
}

/** What happened between two readings of the same histogram. */
export function latenessBetween(before: LatenessHistogram, after: LatenessHistogram): LatenessHistogram {
  if (before.boundsMs.join() !== after.boundsMs.join()) throw new Error("lateness readings with different buckets");
  return {
    boundsMs: after.boundsMs,
    counts: after.counts.map((count, i) => count - (before.counts[i] ?? 0)),
    count: after.count - before.count,
    sumMs: after.sumMs - before.sumMs,
  };
}

export interface LatenessSummary {
  ticks: number;
  meanMs: number;
  /** The smallest bucket bound that holds 99 % of the ticks (Infinity: beyond the last bucket; NaN: no ticks). */
  p99AtMostMs: number;
  /** Share of ticks at most `limitMs` late (limitMs must be a bucket bound to be exact). */
  withinLimit: number;
  limitMs: number;
}

export function summarizeLateness(window: LatenessHistogram, limitMs: number): LatenessSummary {
  const ticks = window.count;
  if (ticks === 0) return { ticks, meanMs: Number.NaN, p99AtMostMs: Number.NaN, withinLimit: Number.NaN, limitMs };
  const index = window.boundsMs.findIndex((_, i) => window.counts[i]! >= 0.99 * ticks);
  // The largest bound at or under the limit: exact when the limit is a bound (10 ms is).
  let within = 0;
  for (let i = 0; i < window.boundsMs.length; i++) if (window.boundsMs[i]! <= limitMs) within = window.counts[i]!;
  return {
    ticks,
    meanMs: window.sumMs / ticks,
    p99AtMostMs: index < 0 ? Number.POSITIVE_INFINITY : window.boundsMs[index]!,
    withinLimit: within / ticks,
    limitMs,
  };
}

/** The step held: p99 within the limit, i.e. at least 99 % of its ticks at most `limitMs` late. */
export function latenessHeld(summary: LatenessSummary): boolean {
  return summary.ticks > 0 && summary.withinLimit >= 0.99;
}
